"""Datasets: fixed train/val/test splits of MNIST, Fashion-MNIST and scikit-learn's digits."""

from gwin.data.datasets import (
    SPLIT_SEED,
    VAL_SIZE,
    DatasetSplits,
    Split,
    load_dataset,
    split_indices,
)
from gwin.data.download import download, verify_file
from gwin.data.idx import read_idx, write_idx
from gwin.data.idx_files import cache_dir, find_idx_dir
from gwin.names import DATASETS

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
