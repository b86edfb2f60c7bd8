"""Datasets: fixed train/val/test splits of MNIST, Fashion-MNIST and scikit-learn's digits."""

from gwin.data.datasets import (
    DATASETS,
    SPLIT_SEED,
    VAL_SIZE,
    DatasetSplits,
    Split,
    cache_dir,
    find_idx_dir,
    load_dataset,
    split_indices,
)
from gwin.data.download import download, verify_file
from gwin.data.idx import read_idx, write_idx

__all__ = [
    "DATASETS",
    "SPLIT_SEED",
    "VAL_SIZE",
    "DatasetSplits",
    "Split",
    "cache_dir",
    "download",
    "find_idx_dir",
    "load_dataset",
    "read_idx",
    "split_indices",
    "verify_file",
    "write_idx",
]
