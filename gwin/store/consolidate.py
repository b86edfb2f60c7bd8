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

import pyarrow as pa
import pyarrow.compute as pc

from gwin.atomic import write_table
from gwin.store.location import OUTPUTS_DIR, RESULTS_DIR, Folder, list_dirs, list_files, read_json
from gwin.store.schema import stamp
from gwin.store.trial_outputs import ERROR_FILE, is_complete, read_parquet, trial_folder

PREDICTION_ORDER = [
    ("trial_id", "ascending"),
    ("split", "ascending"),
    ("corruption", "ascending"),
    ("index", "ascending"),
]


def _concat(tables: list[pa.Table]) -> pa.Table:
    # Error rows lack the metric columns and may hold nulls where ok rows hold numbers.
    return pa.concat_tables(tables, promote_options="permissive")


def consolidate(study: Folder | str | os.PathLike) -> dict[str, int]:
    """Rebuild STUDY/results from STUDY/trial_outputs; returns row counts per table and status."""
    if not isinstance(study, Folder):
        study = Folder.at(study)
    trials: list[pa.Table] = []
    predictions: dict[str, list[pa.Table]] = defaultdict(list)
    examples: list[pa.Table] = []
    n_error = 0
    for trial_id in list_dirs(study.fs, study.path(OUTPUTS_DIR)):
        folder = trial_folder(study, trial_id)
        if is_complete(folder):
            row = read_parquet(folder, "trials.parquet")
            trials.append(row)
            dataset = row.column("dataset")[0].as_py()
            pred = read_parquet(folder, "predictions.parquet")
            if "dataset" in pred.column_names:  # the partition folder holds it
                pred = pred.drop_columns(["dataset"])
            predictions[dataset].append(pred)
            if folder.exists("examples.parquet"):
                table = read_parquet(folder, "examples.parquet")
                if table.num_rows:  # n_examples=0 writes an empty, column-less table
                    examples.append(table)
        elif folder.exists(ERROR_FILE):
            record = read_json(folder.fs, folder.path(ERROR_FILE))
            trials.append(pa.Table.from_pylist([record]))
            n_error += 1

    results = (RESULTS_DIR,)
    counts = {"ok": len(trials) - n_error, "error": n_error, "predictions": 0, "examples": 0}
    written = set()
    for dataset, parts in sorted(predictions.items()):
        table = _concat(parts).sort_by(PREDICTION_ORDER)
        path = study.path(*results, "predictions", f"dataset={dataset}", "part-0.parquet")
        write_table(study.fs, path, stamp(table))
        written.add(path)
        counts["predictions"] += table.num_rows
    for stale in list_files(study.fs, study.path(*results, "predictions")):
        if stale not in written and not PurePosixPath(stale).name.startswith("."):
            study.fs.delete_file(stale)
    if examples:
        table = _concat(examples).sort_by([("trial_id", "ascending"), ("index", "ascending")])
        write_table(study.fs, study.path(*results, "examples.parquet"), stamp(table))
        counts["examples"] = table.num_rows
    if trials:
        table = _concat(trials)
        table = table.take(pc.sort_indices(table, sort_keys=[("trial_id", "ascending")]))
        # trials.parquet last: a reader that sees it also sees the predictions it describes.
        write_table(study.fs, study.path(*results, "trials.parquet"), stamp(table))
    return counts
