"""The three datasets as fixed train/validation/test splits of float images in [0, 1].

`mnist` and `fashion_mnist` come from the four standard IDX files. Their 60k training images
are split into train and validation (the last VAL_SIZE = 10,000 of one fixed permutation,
`numpy.random.default_rng(SPLIT_SEED).permutation(60000)`), identical for every trial and
independent of any trial seed, so validation numbers are comparable across a whole study; the
official 10k test set is the test split. `digits` is scikit-learn's bundled 8x8 digits
(values 0..16, scaled to [0, 1], bilinearly resized to 28x28), so smoke runs and tests need no
files; the same seed's permutation of its 1,797 images gives test (first 300), validation
(next 300) and train (the other 1,197).

Where the IDX files come from, first hit wins: an explicit `data_dir`, $GWIN_DATA_DIR, the user
cache ($XDG_CACHE_HOME/gwin/<name> or ~/.cache/gwin/<name>), Debian's dataset package folder,
then a checksum-verified download into the user cache. A folder may hold the files directly or
in a subfolder named after the dataset. Every file is checked against known checksums: cached
archives against the SHA-256 of the published .gz, anything else against the SHA-256 of the
decompressed IDX content, which survives recompression (Debian's package re-gzips the files).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gwin.data.download import download as download_file
from gwin.data.download import mirror_bases, mirror_urls, verify_file
from gwin.data.idx import parse_idx, read_idx_bytes
from gwin.data.sources import DEBIAN_DIRS, IDX_FILES, MIRRORS, SUBFOLDERS, IdxFile
from gwin.errors import GwinError
from gwin.names import DATASETS

log = logging.getLogger(__name__)

DATA_DIR_ENV = "GWIN_DATA_DIR"
# Arbitrary but fixed forever: changing it changes every split and voids comparisons.
SPLIT_SEED = 20190606
VAL_SIZE = 10_000
DIGITS_VAL_SIZE = 300
DIGITS_TEST_SIZE = 300
IMAGE_SIZE = 28
NUM_CLASSES = 10
_FIX = "point --data-dir at a folder with the four IDX files, or set GWIN_DATA_DIR"


@dataclass(frozen=True, eq=False)
class Split:
    """Images x (float32 [N, 1, 28, 28] in [0, 1]) and labels y (int64 [N])."""

    x: torch.Tensor
    y: torch.Tensor

    def __post_init__(self) -> None:
        if self.x.ndim != 4 or self.y.ndim != 1 or len(self.x) != len(self.y):
            raise GwinError(
                f"Split needs x [N, C, H, W] and y [N]; got {tuple(self.x.shape)} and"
                f" {tuple(self.y.shape)}"
            )

    def __len__(self) -> int:
        return len(self.y)

    def to(self, device: torch.device | str, non_blocking: bool = False) -> Split:
        return Split(
            self.x.to(device, non_blocking=non_blocking),
            self.y.to(device, non_blocking=non_blocking),
        )


@dataclass(frozen=True, eq=False)
class DatasetSplits:
    """A dataset's three splits; `source` says where the data was read from."""

    name: str
    train: Split
    val: Split
    test: Split
    num_classes: int = NUM_CLASSES
    source: str = ""


def _canonical(name: str) -> str:
    canonical = str(name).strip().lower().replace("-", "_")
    if canonical not in DATASETS:
        raise GwinError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return canonical


def cache_dir(name: str) -> Path:
    """The user cache folder for a dataset's downloaded files."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "gwin" / _canonical(name)


def _file_in(folder: Path, spec: IdxFile) -> Path | None:
    # The uncompressed file reads faster, so it wins when both are present.
    for candidate in (folder / spec.name, folder / f"{spec.name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _files_in(folder: Path, name: str) -> list[Path | None]:
    return [_file_in(folder, spec) for spec in IDX_FILES[name]]


def _search(root: Path, name: str) -> Path | None:
    for folder in (root, *(root / sub for sub in SUBFOLDERS[name])):
        if all(_files_in(folder, name)):
            return folder
    return None


def _missing_message(root: Path, name: str) -> str:
    if not root.is_dir():
        return f"{name}: data dir {root} does not exist; {_FIX}"
    folders = [root, *(root / sub for sub in SUBFOLDERS[name])]
    best = max(folders, key=lambda f: sum(p is not None for p in _files_in(f, name)))
    missing = next(
        s.name for s, p in zip(IDX_FILES[name], _files_in(best, name), strict=True) if p is None
    )
    subs = ", ".join(f"{s}/" for s in SUBFOLDERS[name])
    return (
        f"{name}: data dir {root} has no {missing}[.gz] (looked in {best}; subfolders tried:"
        f" {subs}); {_FIX}"
    )


def find_idx_dir(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first folder holding all four IDX files, in the documented look-up order.

    Returns None when only a download can provide them, and for `digits` (no files). An
    explicit `data_dir` without the files is an error: a typo must not silently trigger a
    download or pick up other data. $GWIN_DATA_DIR is a search root and falls through.
    """
    name = _canonical(name)
    if name == "digits":
        return None
    if data_dir is not None:
        root = Path(data_dir).expanduser()
        found = _search(root, name)
        if found is None:
            raise GwinError(_missing_message(root, name))
        return found
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        found = _search(Path(env).expanduser(), name)
        if found is not None:
            return found
        log.info("%s=%s has no %s IDX files; looking further", DATA_DIR_ENV, env, name)
    cache = cache_dir(name)
    if all(_files_in(cache, name)):
        return cache
    for folder in DEBIAN_DIRS.get(name, ()):
        if all(_files_in(folder, name)):
            return folder
    return None


def split_indices(n_total: int, val_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices into the official training set (fixed permutation)."""
    val_size = VAL_SIZE if val_size is None else val_size
    if n_total <= val_size:
        raise GwinError(
            f"the training set has {n_total} images, not more than the {val_size} needed for"
            " validation; the IDX files are incomplete: replace them"
        )
    perm = np.random.default_rng(SPLIT_SEED).permutation(n_total)
    return perm[: n_total - val_size], perm[n_total - val_size :]


def _read_verified(path: Path, spec: IdxFile, *, cached: bool, verify: bool) -> np.ndarray:
    if verify and cached and path.name.endswith(".gz"):
        verify_file(path, spec.gz_sha256)
        return parse_idx(read_idx_bytes(path), path)
    data = read_idx_bytes(path)
    if verify:
        actual = hashlib.sha256(data).hexdigest()
        if actual != spec.raw_sha256:
            raise GwinError(
                f"{path} is not the published file (sha256 of its IDX content {actual},"
                f" expected {spec.raw_sha256}); replace it with the original, or {_FIX}"
            )
    return parse_idx(data, path)


def _check_pair(images: np.ndarray, labels: np.ndarray, img_path: Path, lbl_path: Path) -> None:
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise GwinError(f"{img_path} holds images of shape {images.shape[1:]}, expected 28x28")
    if labels.ndim != 1 or len(labels) != len(images):
        raise GwinError(f"{lbl_path} has {len(labels)} labels for {len(images)} images")
    if len(labels) and int(labels.max()) >= NUM_CLASSES:
        raise GwinError(f"{lbl_path} has label {int(labels.max())}; expected 0..9")


def _to_split(images: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> Split:
    # Fancy indexing copies, which also detaches from the read-only file buffer.
    x = torch.from_numpy(images[idx]).unsqueeze(1).to(torch.float32).div_(255.0)
    y = torch.from_numpy(labels[idx].astype(np.int64))
    return Split(x, y)


def _load_idx(
    name: str, data_dir: str | os.PathLike | None, download: bool, verify: bool
) -> tuple[tuple[np.ndarray, ...], Path]:
    folder = find_idx_dir(name, data_dir)
    cache = cache_dir(name)
    if folder is None:
        if not download:
            where = ", ".join(
                [f"${DATA_DIR_ENV}", str(cache), *map(str, DEBIAN_DIRS.get(name, ()))]
            )
            raise GwinError(
                f"{name}: IDX files not found ({where}) and download is off; allow the"
                f" download, or {_FIX}"
            )
        bases = mirror_bases(MIRRORS[name])
        for spec, path in zip(IDX_FILES[name], _files_in(cache, name), strict=True):
            if path is None:
                filename = f"{spec.name}.gz"
                download_file(mirror_urls(filename, bases), cache / filename, spec.gz_sha256)
        folder = cache
    found = _files_in(folder, name)
    paths = [p for p in found if p is not None]
    if len(paths) != len(found):  # a file deleted between the search and now
        raise GwinError(f"{name}: IDX files in {folder} went missing while loading; {_FIX}")
    cached = folder.resolve() == cache.resolve()
    arrays = tuple(
        _read_verified(p, spec, cached=cached, verify=verify)
        for p, spec in zip(paths, IDX_FILES[name], strict=True)
    )
    _check_pair(arrays[0], arrays[1], paths[0], paths[1])
    _check_pair(arrays[2], arrays[3], paths[2], paths[3])
    return arrays, folder


def _load_digits(limit_train: int | None) -> DatasetSplits:
    from sklearn.datasets import load_digits  # deferred: importing sklearn costs ~1 s

    bunch = load_digits()
    small = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    # Bilinear is a convex combination of pixels, so values stay in [0, 1]; clamp for rounding.
    x = F.interpolate(small, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
    x = x.clamp_(0.0, 1.0)
    y = torch.from_numpy(bunch.target.astype(np.int64))
    perm = torch.from_numpy(np.random.default_rng(SPLIT_SEED).permutation(len(y)))
    n_test, n_val = DIGITS_TEST_SIZE, DIGITS_VAL_SIZE
    test_idx, val_idx, train_idx = (
        perm[:n_test],
        perm[n_test : n_test + n_val],
        perm[n_test + n_val :],
    )
    if limit_train is not None:
        train_idx = train_idx[:limit_train]
    return DatasetSplits(
        name="digits",
        train=Split(x[train_idx], y[train_idx]),
        val=Split(x[val_idx], y[val_idx]),
        test=Split(x[test_idx], y[test_idx]),
        source="sklearn.datasets.load_digits",
    )


def load_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    limit_train: int | None = None,
    verify: bool = True,
) -> DatasetSplits:
    """Load a dataset's fixed train/val/test splits (see the module docstring).

    `limit_train` keeps the first n training images of the fixed permutation (all of them if
    fewer exist), for quick runs; validation and test are never cut. `verify=False` skips
    the checksum checks (the IDX structure is still validated), for deliberately modified
    files.
    """
    name = _canonical(name)
    if limit_train is not None and (isinstance(limit_train, bool) or int(limit_train) < 1):
        raise GwinError(f"limit_train must be a positive integer or None, got {limit_train!r}")
    if name == "digits":
        return _load_digits(limit_train)
    (train_x, train_y, test_x, test_y), folder = _load_idx(name, data_dir, download, verify)
    train_idx, val_idx = split_indices(len(train_x))
    if limit_train is not None:
        train_idx = train_idx[: int(limit_train)]
    log.info("loaded %s from %s", name, folder)
    return DatasetSplits(
        name=name,
        train=_to_split(train_x, train_y, train_idx),
        val=_to_split(train_x, train_y, val_idx),
        test=_to_split(test_x, test_y, np.arange(len(test_x))),
        source=str(folder),
    )
