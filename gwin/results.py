"""Results as data: atomic Parquet writes and readers for trials / predictions / examples.

Schemas are documented in docs/results.md. A writer never leaves a half-written file: it writes
a temporary file in the same directory and renames it into place.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from gwin.atomic import write_table
from gwin.errors import GwinError
from gwin.evaluate import PREDICTION_COLUMNS

TABLES = ("trials", "predictions", "examples")
# Columns every results reader relies on (design.md section 3); extra columns are allowed.
REQUIRED_COLUMNS = {
    "trials": [
        "trial_id",
        "study",
        "dataset",
        "classifier",
        "seed",
        "lambda_loss",
        "tau_star",
        "preset",
        "n_confident",
        "classifier_cache_hit",
        "status",
        "error",
    ],
    "predictions": PREDICTION_COLUMNS,
    "examples": ["trial_id", "index", "label", "image", "transformed"],
}


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write `frame` to the local `path` atomically (temp file + rename)."""
    path = Path(path).absolute()
    write_table(
        pafs.LocalFileSystem(), str(path), pa.Table.from_pandas(frame, preserve_index=False)
    )
    return path


def _locate(root: Path, table: str) -> Path | None:
    for candidate in (
        root / f"{table}.parquet",
        root / "results" / table,
        root / "results" / f"{table}.parquet",
        root / table,
    ):
        if candidate.exists():
            return candidate
    return None


def read_table(results: str | os.PathLike, table: str) -> pd.DataFrame:
    """Read one results table from a study dir (STORAGE/NAME), its `results/`, or a trial dir."""
    root = Path(results)
    if not root.exists():
        raise GwinError(f"results path {root} does not exist; pass a study or trial output dir")
    path = _locate(root, table)
    if path is None:
        raise GwinError(
            f"no {table} table under {root}; expected {root}/{table}.parquet or "
            f"{root}/results/{table}/ (run a study or `python -m gwin trial --out DIR` first)"
        )
    frame = ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pandas()
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in frame.columns]
    if missing:
        raise GwinError(
            f"{path} lacks columns {missing}: it was written by an older gwin schema; "
            "re-run the study with this version"
        )
    return frame
