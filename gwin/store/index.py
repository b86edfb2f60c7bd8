"""A study's trials index, STUDY/results/trials.parquet: one row per trial, ok or failed.

Each trial's tables stay in its own folder, STUDY/trial_outputs/<trial_id>/, written once by
the trial (gwin.store.trial_outputs); the index is the only file the driver writes, and it says
which trials are ok. Readers find a trial's predictions, summaries and examples from its row.

- `index_trials(study, ids)` after a trial completes: reads the index and the rows of `ids`
  only, and rewrites the index. Its cost grows with the index's rows (a few KB a trial), never
  with the predictions.
- `rebuild_index(study)` when a driver starts and ends: the index made again from every trial
  folder, so a driver killed between a trial's completion and its `index_trials` loses no row,
  and a later success of a trial replaces its error row.

Both are idempotent, keyed by trial_id: neither can duplicate or drop a row.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc

from gwin.errors import GwinError
from gwin.progress import bar
from gwin.store.atomic import write_table
from gwin.store.guard import check_inside, check_trial_ids, repair_hint
from gwin.store.location import (
    OUTPUTS_DIR,
    RESULTS_DIR,
    Folder,
    delete_file,
    first_line,
    list_dirs,
    read_json,
)
from gwin.store.schema import stamp
from gwin.store.trial_outputs import ERROR_FILE, is_complete, read_parquet, trial_folder

INDEX_PARTS = (RESULTS_DIR, "trials.parquet")


def trial_row(study: Folder, trial_id: str) -> pa.Table | None:
    """The trial's own row: its trials.parquet if complete, else its error row, else None."""
    folder = trial_folder(study, trial_id)
    if is_complete(folder):
        row = read_parquet(folder, "trials.parquet")
        where = folder.location_of("trials.parquet")
    elif folder.exists(ERROR_FILE):
        row = pa.Table.from_pylist([read_error(folder)])
        where = folder.location_of(ERROR_FILE)
    else:
        return None
    # the index is keyed by the row's trial_id and readers open trial_outputs/<trial_id>/:
    # a row that names another trial (or a path) would point the index elsewhere
    ids = row.column("trial_id").to_pylist() if "trial_id" in row.column_names else []
    if ids != [trial_id]:
        found = ", ".join(map(repr, ids[:3])) or "no trial"
        raise GwinError(
            f"{where} is damaged (its rows name {found}, not the one trial {trial_id!r} of its "
            f"folder){repair_hint(where)}"
        )
    return row


def read_error(folder: Folder) -> dict:
    """A failed trial's error.json: its trials row, refused in one line if it is damaged."""
    where = folder.location_of(ERROR_FILE)
    try:
        row = read_json(folder.fs, folder.path(ERROR_FILE))
    except (OSError, ValueError) as err:  # cut short, not JSON, not UTF-8
        raise GwinError(f"{where} is damaged ({first_line(err)}){repair_hint(where)}") from err
    if not isinstance(row, dict):
        raise GwinError(f"{where} is damaged (not a trials row){repair_hint(where)}")
    return row


def _concat(tables: list[pa.Table]) -> pa.Table:
    # Error rows hold nulls where ok rows hold numbers (and error.json files written before
    # gwin.store.trials_table lack those columns altogether).
    table = pa.concat_tables(tables, promote_options="permissive")
    return table.take(pc.sort_indices(table, sort_keys=[("trial_id", "ascending")]))


def _write(study: Folder, rows: list[pa.Table]) -> dict[str, int]:
    table = _concat(rows)
    write_table(study.fs, study.path(*INDEX_PARTS), stamp(table))
    status = table.column("status").to_pylist()
    return {"ok": status.count("ok"), "error": len(status) - status.count("ok")}


def read_index(study: Folder) -> pa.Table | None:
    """The study's index as stored, or None before any trial finished."""
    if not study.exists(*INDEX_PARTS):
        return None
    check_inside(study, *INDEX_PARTS)
    table = read_parquet(study, *INDEX_PARTS)
    if "trial_id" in table.column_names:  # without it: check_columns' line, by the reader
        check_trial_ids(table.column("trial_id").to_pylist(), study.location_of(*INDEX_PARTS))
    return table


def index_trials(study: Folder | str | os.PathLike, trial_ids: Iterable[str]) -> dict[str, int]:
    """Put the current rows of `trial_ids` into the index (replacing theirs); returns counts."""
    study = study if isinstance(study, Folder) else Folder.at(study)
    ids = set(trial_ids)
    new = [row for t in sorted(ids) if (row := trial_row(study, t)) is not None]
    index = read_index(study)
    kept = (
        []
        if index is None
        else [index.filter(pc.invert(pc.is_in(index["trial_id"], pa.array(sorted(ids)))))]
    )
    rows = [t for t in [*kept, *new] if t.num_rows]
    return _write(study, rows) if rows else {"ok": 0, "error": 0}


def collect_rows(study: Folder, threads: int = 16) -> list[pa.Table]:
    """The rows of every trial folder of the study (what the index holds once rebuilt)."""
    ids = list_dirs(study.fs, study.path(OUTPUTS_DIR))
    rows = []
    # many small reads: threads hide an object store's latency
    with (
        ThreadPoolExecutor(max_workers=threads) as pool,
        bar(len(ids), "index", None, "trial") as shown,
    ):
        for row in pool.map(lambda t: trial_row(study, t), ids):
            shown.update(1)
            if row is not None:
                rows.append(row)
    return rows


def rebuild_index(study: Folder | str | os.PathLike) -> dict[str, int]:
    """The index made again from every trial folder of the study; returns counts."""
    study = study if isinstance(study, Folder) else Folder.at(study)
    rows = collect_rows(study)
    if rows:
        return _write(study, rows)
    delete_file(study.fs, study.path(*INDEX_PARTS))  # it would list trials that are gone
    return {"ok": 0, "error": 0}


def unindexed(study: Folder) -> pa.Table | None:
    """The rows of a study whose driver stopped before it wrote any index (read, not written:
    readers may lack write access), or None while no trial has finished with results."""
    rows = collect_rows(study)
    ok = any("ok" in row.column("status").to_pylist() for row in rows)
    return _concat(rows) if ok else None


__all__ = [
    "INDEX_PARTS",
    "collect_rows",
    "index_trials",
    "read_error",
    "read_index",
    "rebuild_index",
    "trial_row",
    "unindexed",
]
