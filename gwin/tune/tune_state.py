"""Tune's own state files of a study run, checked before --resume trusts them.

Tune rewrites `experiment_state-*.json` (and the search algorithm's state) in place, not through
a temporary file: storage that fills up during the write leaves a truncated file. Restoring
from one, Tune logs the error and silently restarts an experiment that has lost its grid. So a
damaged state is set aside, and the study starts a fresh Tune run over its whole grid: trials
with outputs in the study are finished (the trainable returns their stored result), the others
start again from iteration 0, which gives the same numbers, only later.
"""

from __future__ import annotations

import json
import pickle
from pathlib import PurePosixPath

from gwin.store.location import Folder, list_files

DAMAGED_PREFIX = "damaged-"


def _state_files(run: Folder) -> list[PurePosixPath]:
    top = PurePosixPath(run.root)
    return [
        p
        for p in map(PurePosixPath, list_files(run.fs, run.root))
        if p.parent == top
        and p.suffix in (".json", ".pkl")
        and not p.name.startswith(DAMAGED_PREFIX)
    ]


def _loads(name: str, data: bytes) -> None:
    # experiment_state is JSON; the searcher's state (basic-variant-state-*.json, despite its
    # name) and tuner.pkl are pickles, which Tune itself unpickles on restore
    if name.startswith("experiment_state"):
        json.loads(data.decode())
    else:
        pickle.loads(data)


def damaged_state_files(run: Folder) -> list[str]:
    """Paths of the run folder's top-level state files that do not load."""
    damaged = []
    for path in _state_files(run):
        with run.fs.open_input_stream(str(path)) as f:
            data = f.readall()
        try:
            _loads(path.name, data)
        except Exception:  # noqa: BLE001 - any failure to load is damage
            damaged.append(str(path))
    return damaged


def set_aside(run: Folder) -> list[str]:
    """Rename every top-level state file of the run so that Tune finds none; returns the names.
    Kept, not deleted: a damaged file is evidence of what happened."""
    moved = []
    for path in _state_files(run):
        run.fs.move(str(path), str(path.with_name(DAMAGED_PREFIX + path.name)))
        moved.append(path.name)
    return moved
