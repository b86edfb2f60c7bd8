"""Where a dataset's four IDX files are, and reading them checked.

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
from pathlib import Path

import numpy as np

from gwin.data.download import download as download_file
from gwin.data.download import mirror_bases, mirror_urls, verify_file
from gwin.data.idx import parse_idx, read_idx_bytes
from gwin.data.sources import DEBIAN_DIRS, IDX_FILES, MIRRORS, SUBFOLDERS, IdxFile
from gwin.errors import GwinError
from gwin.names import DATASETS, check_registry

log = logging.getLogger(__name__)

DATA_DIR_ENV = "GWIN_DATA_DIR"
IMAGE_SIZE = 28
NUM_CLASSES = 10
check_registry("DATASETS", DATASETS, ("digits", *IDX_FILES))  # digits: no IDX files
_FIX = "point --data-dir at a folder with the four IDX files, or set GWIN_DATA_DIR"


def canonical(name: str) -> str:
    """The dataset's name as gwin.names spells it ("Fashion-MNIST" -> "fashion_mnist")."""
    spelled = str(name).strip().lower().replace("-", "_")
    if spelled not in DATASETS:
        raise GwinError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return spelled


def cache_dir(name: str) -> Path:
    """The user cache folder for a dataset's downloaded files."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "gwin" / canonical(name)


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
    name = canonical(name)
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


def read_idx_arrays(
    name: str, data_dir: str | os.PathLike | None, download: bool, verify: bool
) -> tuple[tuple[np.ndarray, ...], Path]:
    """(train images, train labels, test images, test labels) of `name`, each file checked, and
    the folder they came from; downloads into the user cache when no folder holds them."""
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
