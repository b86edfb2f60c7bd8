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
from pathlib import PurePosixPath

from gwin.store.location import Folder, list_files

DAMAGED_PREFIX = "damaged-"


def damaged_state_files(run: Folder) -> list[str]:
    """Paths of the run folder's top-level JSON state files that do not parse."""
    damaged = []
    for path in list_files(run.fs, run.root):
        name = PurePosixPath(path).name
        if PurePosixPath(path).parent != PurePosixPath(run.root) or not name.endswith(".json"):
            continue
        if name.startswith(DAMAGED_PREFIX):
            continue
        with run.fs.open_input_stream(path) as f:
            try:
                json.loads(f.readall().decode())
            except ValueError:  # also UnicodeDecodeError
                damaged.append(path)
    return damaged


def set_aside(run: Folder) -> list[str]:
    """Rename every top-level state file of the run so that Tune finds none; returns the names.
    Kept, not deleted: a damaged file is evidence of what happened."""
    moved = []
    for path in list_files(run.fs, run.root):
        p = PurePosixPath(path)
        if p.parent == PurePosixPath(run.root) and p.suffix in (".json", ".pkl"):
            if not p.name.startswith(DAMAGED_PREFIX):
                run.fs.move(path, str(p.with_name(DAMAGED_PREFIX + p.name)))
                moved.append(p.name)
    return moved
