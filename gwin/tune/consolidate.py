"""Consolidate a study's per-trial tables into one results dataset, idempotently.

Input: STUDY/trial_outputs/<trial_id>/ (written by the trainable, or `error.json` written by the
driver when a trial fails for good). Output, under STUDY/results/:

    trials.parquet                              one row per trial: ok rows and error rows
    predictions/dataset=<name>/part-0.parquet   per-input predictions of the ok trials
    examples.parquet                            transformed test images of the ok trials

The output is rebuilt from scratch every time from the per-trial folders, which are keyed by
trial_id, so running it twice, or after a resume, can neither duplicate nor drop a row; a later
success of a trial replaces its error row. Error rows never contribute predictions.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gwin.atomic import write_table
from gwin.tune.paths import (
    OUTPUTS_DIR,
    RESULTS_DIR,
    StudyPaths,
    delete_file,
    exists,
    list_dirs,
    list_files,
    read_json,
    write_json,
)

PREDICTION_ORDER = [
    ("trial_id", "ascending"),
    ("split", "ascending"),
    ("corruption", "ascending"),
    ("index", "ascending"),
]


def read_parquet(study: StudyPaths, *parts: str) -> pa.Table:
    table = pq.read_table(study.path(*parts), filesystem=study.fs)
    return table.replace_schema_metadata(None)  # drop per-file pandas metadata before concat


def _concat(tables: list[pa.Table]) -> pa.Table:
    # Error rows lack the metric columns and may hold nulls where ok rows hold numbers.
    return pa.concat_tables(tables, promote_options="permissive")


def record_error(study: StudyPaths, record: dict[str, Any]) -> None:
    """Mark a trial as failed (unless it already finished): its config, status 'error', message."""
    folder = (OUTPUTS_DIR, record["trial_id"])
    if exists(study.fs, study.path(*folder, "trials.parquet")):
        return
    write_json(study.fs, study.path(*folder, "error.json"), {**record, "status": "error"})


def clear_error(study: StudyPaths, trial_id: str) -> None:
    delete_file(study.fs, study.path(OUTPUTS_DIR, trial_id, "error.json"))


def done_ids(study: StudyPaths) -> set[str]:
    """Trials that finished (trials.parquet) or failed for good (error.json)."""
    return {
        t
        for t in list_dirs(study.fs, study.path(OUTPUTS_DIR))
        if exists(study.fs, study.path(OUTPUTS_DIR, t, "trials.parquet"))
        or exists(study.fs, study.path(OUTPUTS_DIR, t, "error.json"))
    }


def consolidate(study: StudyPaths | str | os.PathLike) -> dict[str, int]:
    """Rebuild STUDY/results from STUDY/trial_outputs; returns row counts per table and status."""
    if not isinstance(study, StudyPaths):
        study = StudyPaths.at(study)
    trials: list[pa.Table] = []
    predictions: dict[str, list[pa.Table]] = defaultdict(list)
    examples: list[pa.Table] = []
    n_error = 0
    for trial_id in list_dirs(study.fs, study.path(OUTPUTS_DIR)):
        folder = (OUTPUTS_DIR, trial_id)
        if exists(study.fs, study.path(*folder, "trials.parquet")):
            row = read_parquet(study, *folder, "trials.parquet")
            trials.append(row)
            dataset = row.column("dataset")[0].as_py()
            pred = read_parquet(study, *folder, "predictions.parquet")
            if "dataset" in pred.column_names:  # the partition folder holds it
                pred = pred.drop_columns(["dataset"])
            predictions[dataset].append(pred)
            if exists(study.fs, study.path(*folder, "examples.parquet")):
                table = read_parquet(study, *folder, "examples.parquet")
                if table.num_rows:  # n_examples=0 writes an empty, column-less table
                    examples.append(table)
        elif exists(study.fs, study.path(*folder, "error.json")):
            record = read_json(study.fs, study.path(*folder, "error.json"))
            trials.append(pa.Table.from_pylist([record]))
            n_error += 1

    results = (RESULTS_DIR,)
    counts = {"ok": len(trials) - n_error, "error": n_error, "predictions": 0, "examples": 0}
    written = set()
    for dataset, parts in sorted(predictions.items()):
        table = _concat(parts).sort_by(PREDICTION_ORDER)
        path = study.path(*results, "predictions", f"dataset={dataset}", "part-0.parquet")
        write_table(study.fs, path, table)
        written.add(path)
        counts["predictions"] += table.num_rows
    for stale in list_files(study.fs, study.path(*results, "predictions")):
        if stale not in written and not PurePosixPath(stale).name.startswith("."):
            study.fs.delete_file(stale)
    if examples:
        table = _concat(examples).sort_by([("trial_id", "ascending"), ("index", "ascending")])
        write_table(study.fs, study.path(*results, "examples.parquet"), table)
        counts["examples"] = table.num_rows
    if trials:
        table = _concat(trials)
        table = table.take(pc.sort_indices(table, sort_keys=[("trial_id", "ascending")]))
        # trials.parquet last: a reader that sees it also sees the predictions it describes.
        write_table(study.fs, study.path(*results, "trials.parquet"), table)
    return counts
