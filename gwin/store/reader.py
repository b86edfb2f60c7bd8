"""Read results from wherever a study or a trial wrote them: a local or NFS folder, or any
`pyarrow.fs` URI (s3://bucket/prefix/NAME, gs://...), exactly as the study printed it.

A location may be a study folder (STORAGE/NAME), its `results/` folder, or one trial's folder
(`python -m gwin trial --out DIR`). Files of another schema version are refused in one line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from gwin.errors import GwinError
from gwin.rejection import DEFAULT_TAUS
from gwin.store.location import OUTPUTS_DIR, RESULTS_DIR, Folder
from gwin.store.schema import check_columns, check_version


def _locate(folder: Folder, table: str) -> str | None:
    for parts in (
        (f"{table}.parquet",),
        (RESULTS_DIR, table),
        (RESULTS_DIR, f"{table}.parquet"),
        (table,),
    ):
        if folder.exists(*parts):
            return folder.path(*parts)
    return None


def _not_found(folder: Folder, table: str) -> GwinError:
    where = folder.location
    if not folder.exists():
        return GwinError(
            f"results location {where} does not exist; pass the study or trial folder (or URI) "
            "that the study or `python -m gwin trial` printed"
        )
    if folder.exists(OUTPUTS_DIR):
        return GwinError(
            f"no {table} table in study {where} yet: no trial has finished; wait for one, or "
            "continue the study with --resume"
        )
    return GwinError(
        f"{where} is not a gwin study or trial folder (no {table}.parquet, {RESULTS_DIR}/ or "
        f"{OUTPUTS_DIR}/ in it); pass STORAGE/NAME as the study printed it, or a trial's --out"
    )


def read_table(location: str | os.PathLike | Folder, table: str) -> pd.DataFrame:
    """One results table ("trials", "predictions" or "examples") as a pandas frame."""
    folder = location if isinstance(location, Folder) else Folder.at(location)
    path = _locate(folder, table)
    if path is None:
        raise _not_found(folder, table)
    dataset = ds.dataset(path, filesystem=folder.fs, format="parquet", partitioning="hive")
    where = f"{folder.location} ({table})"
    for file in dataset.files:
        check_version(pq.read_schema(file, filesystem=folder.fs), where)
    frame = dataset.to_table().to_pandas()
    check_columns(list(frame.columns), table, where)
    return frame


@dataclass
class Results:
    """The successful trials of a results location and their predictions and examples."""

    source: str  # the location as given: a local path or a URI
    trials: pd.DataFrame  # status == 'ok' only
    failed: pd.DataFrame  # status != 'ok'
    predictions: pd.DataFrame
    examples: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def taus(self) -> list[float]:
        """Every tau any trial evaluated (the union of the trials' `taus`)."""
        found = {float(t) for value in self.trials.get("taus", []) for t in json.loads(value)}
        return sorted(found) or list(DEFAULT_TAUS)


def _as_str(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for c in columns:
        if c in frame.columns:
            frame[c] = frame[c].astype(str)
    return frame


def load_results(location: str | os.PathLike) -> Results:
    """Read a study, its `results/` or a trial folder (local or URI); keep the 'ok' trials."""
    folder = Folder.at(location)
    source = folder.location
    trials = _as_str(read_table(folder, "trials"), ["trial_id", "status"])
    if trials.empty:
        raise GwinError(f"{source} holds no trials; run the study (or a trial) first")
    ok = trials["status"] == "ok"
    if not ok.any():
        first = (str(trials["error"].iloc[0]).strip().splitlines() or [""])[0][:200]
        raise GwinError(
            f"none of the {len(trials)} trials in {source} succeeded; first error: "
            f"{first or 'unknown'} (fix it and re-run with --resume)"
        )
    predictions = read_table(folder, "predictions")
    # Hive partitions (dataset=...) repeat trial columns; the trials table is the authority.
    duplicated = [c for c in predictions.columns if c in trials.columns and c != "trial_id"]
    predictions = _as_str(predictions.drop(columns=duplicated), ["trial_id", "split", "corruption"])
    predictions = predictions[predictions["trial_id"].isin(trials.loc[ok, "trial_id"])]
    if predictions.empty:
        raise GwinError(f"{source} has no predictions for its successful trials; re-run them")
    notes = []
    try:
        examples = _as_str(read_table(folder, "examples"), ["trial_id"])
    except GwinError as err:  # optional: only the example grid needs it
        examples, notes = pd.DataFrame(), [f"no example images: {err}"]
    return Results(
        source,
        trials[ok].reset_index(drop=True),
        trials[~ok].reset_index(drop=True),
        predictions.reset_index(drop=True),
        examples,
        notes,
    )


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike, table: str = "") -> None:
    """Write one stamped results table to a local path or URI, atomically (tests and tools;
    trials and studies write through gwin.store.trial_outputs)."""
    from gwin.atomic import write_table
    from gwin.store.schema import to_arrow

    folder = Folder.at(path)
    write_table(folder.fs, folder.root, to_arrow(frame, table))


__all__ = ["Results", "load_results", "read_table", "write_parquet"]
