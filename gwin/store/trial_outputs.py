"""The one writer and reader of a trial's tables, for `python -m gwin trial --out` and for the
trials of a study (STUDY/trial_outputs/<trial_id>/) alike, on any storage.

A trial folder holds one Parquet file per table of `TRIAL_TABLES`: its per-input predictions, the
examples, the summaries computed once from the predictions (the tau sweep of every split and
corruption, the selective-classification areas), the periodic validation history, and
`trials.parquet`, written last, which marks the trial complete. The files are first written whole
into a hidden staging folder beside it and then moved in, so an interrupted write leaves no
partial table (on object stores a move is a copy, but each object still appears whole). They are
never rewritten when other trials finish. A study trial that failed for good has an `error.json`
(its trials row) instead.
"""

from __future__ import annotations

import json
import uuid
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from gwin.metrics.summary import history_frame, trial_selective, trial_sweeps
from gwin.store.atomic import write_table
from gwin.store.damage import check_is_file, unreadable
from gwin.store.guard import check_inside, check_trial_id
from gwin.store.location import (
    OUTPUTS_DIR,
    Folder,
    delete_file,
    exists,
    list_dirs,
    write_bytes,
    write_json,
)
from gwin.store.schema import MODEL_DIR, TRIAL_TABLES, check_version, to_arrow

# trials.parquet last: a reader that sees it also sees the tables it describes
OUTPUT_FILES = tuple(f"{name}.parquet" for name in TRIAL_TABLES)
ERROR_FILE = "error.json"


def read_parquet(
    folder: Folder, *parts: str, columns: list[str] | None = None, filters=None
) -> pa.Table:
    """One gwin Parquet file (only `columns`, rows passing pyarrow `filters`), refused in one
    line if another schema version wrote it, or if it is missing, a folder (pyarrow would
    read a folder as a dataset: no rows, no error) or damaged (gwin.store.damage)."""
    path, where = folder.path(*parts), folder.location_of(*parts)
    check_is_file(folder.fs, path, where)
    try:
        table = pq.read_table(path, filesystem=folder.fs, columns=columns, filters=filters or None)
    except (OSError, pa.ArrowException) as err:
        raise unreadable(folder.fs, path, where, err, columns, filters) from err
    check_version(table.schema, where)
    return table.replace_schema_metadata(None)


def trial_tables(result) -> dict[str, pa.Table]:
    """Every table of a trial folder from `result` (record, predictions, examples and, when it
    has one, the validation `history`); the summaries are computed here, once."""
    # deferred: the trials table is declared from TrialConfig, which readers must not import
    from gwin.store.trials_table import trials_arrow

    record, predictions = result.record, result.predictions
    taus = json.loads(record["taus"])
    history = history_frame(record["trial_id"], getattr(result, "history", None) or [])
    return {
        "examples.parquet": to_arrow(result.examples, "examples"),
        "predictions.parquet": to_arrow(predictions, "predictions"),
        "sweeps.parquet": to_arrow(trial_sweeps(predictions, taus), "sweeps"),
        "selective.parquet": to_arrow(trial_selective(predictions), "selective"),
        "history.parquet": to_arrow(history, "history"),
        "trials.parquet": trials_arrow([record]),
    }


def write_trial(folder: Folder, result) -> None:
    """Write `result` (a TrialResult) into `folder` as one unit; clears an earlier error."""
    model = {f"{MODEL_DIR}/{name}": data for name, data in getattr(result, "model", {}).items()}
    write_tables(folder, trial_tables(result), model)


def write_tables(
    folder: Folder, tables: dict[str, pa.Table], files: dict[str, bytes] | None = None
) -> None:
    """Stage `tables` (file name -> table) and `files` (relative path -> bytes, e.g. the model)
    beside `folder`, then move them in: files first, trials.parquet last."""
    root = PurePosixPath(folder.root)
    staging = str(root.with_name(f".{root.name}.{uuid.uuid4().hex[:8]}.staging"))
    fs = folder.fs
    files = files or {}
    try:
        names = [n for n in OUTPUT_FILES if n in tables]
        for name, data in files.items():
            write_bytes(fs, f"{staging}/{name}", data)
        for name in names:
            write_table(fs, f"{staging}/{name}", tables[name])
        fs.create_dir(folder.root, recursive=True)
        for name in [*files, *names]:
            fs.create_dir(str(PurePosixPath(folder.path(name)).parent), recursive=True)
            fs.move(f"{staging}/{name}", folder.path(name))
    finally:
        if exists(fs, staging):
            fs.delete_dir(staging)
    delete_file(fs, folder.path(ERROR_FILE))


def is_complete(folder: Folder) -> bool:
    return folder.exists("trials.parquet")


def read_trial(folder: Folder) -> SimpleNamespace | None:
    """The stored record and predictions of a complete trial folder, else None."""
    if not is_complete(folder):
        return None
    return SimpleNamespace(
        record=read_parquet(folder, "trials.parquet").to_pylist()[0],
        predictions=read_parquet(folder, "predictions.parquet").to_pandas(),
    )


def trial_folder(study: Folder, trial_id: str) -> Folder:
    """STUDY/trial_outputs/<trial_id>, refused in one line if the id is a path or the folder
    (or a link in it) leads outside the study: the id comes from a table, which may lie."""
    check_trial_id(trial_id, study.location_of(OUTPUTS_DIR))
    check_inside(study, OUTPUTS_DIR, trial_id)
    return study.child(OUTPUTS_DIR, trial_id)


def record_error(study: Folder, record: dict[str, Any]) -> None:
    """Mark a study trial as failed (unless it already finished) with its error row."""
    folder = trial_folder(study, record["trial_id"])
    if not is_complete(folder):
        write_json(folder.fs, folder.path(ERROR_FILE), {**record, "status": "error"})


def done_ids(study: Folder) -> set[str]:
    """A study's trials that finished (trials.parquet) or failed for good (error.json)."""
    return {
        t
        for t in list_dirs(study.fs, study.path(OUTPUTS_DIR))
        if (f := trial_folder(study, t)).exists("trials.parquet") or f.exists(ERROR_FILE)
    }


__all__ = [
    "ERROR_FILE",
    "OUTPUT_FILES",
    "done_ids",
    "is_complete",
    "read_parquet",
    "read_trial",
    "record_error",
    "trial_folder",
    "trial_tables",
    "write_tables",
    "write_trial",
]
