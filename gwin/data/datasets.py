"""The three datasets as fixed train/validation/test splits of float images in [0, 1].

`mnist` and `fashion_mnist` come from the four standard IDX files. Their 60k training images
are split into train and validation (the last VAL_SIZE = 10,000 of one fixed permutation,
`numpy.random.default_rng(SPLIT_SEED).permutation(60000)`), identical for every trial and
independent of any trial seed, so validation numbers are comparable across a whole study; the
official 10k test set is the test split. `digits` is scikit-learn's bundled 8x8 digits
(values 0..16, scaled to [0, 1], bilinearly resized to 28x28), so smoke runs and tests need no
files; the same seed's permutation of its 1,797 images gives test (first 300), validation
(next 300) and train (the other 1,197).

The IDX files are found, downloaded and checked by `gwin.data.idx_files`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from gwin.data.idx_files import IMAGE_SIZE, NUM_CLASSES, canonical, read_idx_arrays
from gwin.errors import GwinError

log = logging.getLogger(__name__)

# Arbitrary but fixed forever: changing it changes every split and voids comparisons.
SPLIT_SEED = 20190606
VAL_SIZE = 10_000
DIGITS_VAL_SIZE = 300
DIGITS_TEST_SIZE = 300


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


def _to_split(images: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> Split:
    # Fancy indexing copies, which also detaches from the read-only file buffer.
    x = torch.from_numpy(images[idx]).unsqueeze(1).to(torch.float32).div_(255.0)
    y = torch.from_numpy(labels[idx].astype(np.int64))
    return Split(x, y)


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
    name = canonical(name)
    if limit_train is not None and (isinstance(limit_train, bool) or int(limit_train) < 1):
        raise GwinError(f"limit_train must be a positive integer or None, got {limit_train!r}")
    if name == "digits":
        return _load_digits(limit_train)
    (train_x, train_y, test_x, test_y), folder = read_idx_arrays(name, data_dir, download, verify)
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
