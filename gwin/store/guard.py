"""A study folder is input: it may be damaged (a truncated file, a deleted trial) or hostile (a
trial id that is a path, a symbolic link to elsewhere). The checks here run where the store
reads it, so every reader refuses such a folder in one line that names the file, instead of a
traceback or, worse, a table read from outside the study.

- `check_trial_id`: a trial id is a name (one folder of trial_outputs/), never a path.
- `check_inside`: a path, resolved through its symbolic links, stays inside the study (or the
  trial folder a reader was given); local folders only, since object stores have no links.
- `repair_hint`: what to run when a study's files are damaged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from gwin.errors import GwinError
from gwin.store.location import Folder

MAX_NAME = 255  # the longest file name most filesystems allow


def trial_id_problem(trial_id: object) -> str | None:
    """Why `trial_id` is not a trial name, or None if it is one."""
    if not isinstance(trial_id, str) or not trial_id:
        return "is empty or not a string"
    if "/" in trial_id or "\\" in trial_id:
        return "is a path, not a name"
    if trial_id.startswith("."):
        # "." and ".." climb; other hidden names are staging and set-aside folders
        return "starts with '.'"
    if len(trial_id) > MAX_NAME or any(ord(c) < 32 or c == "\x7f" for c in trial_id):
        return "is not a file name (too long, or control characters)"
    return None


def check_trial_id(trial_id: object, where: str) -> str:
    """`trial_id` if it is a name, else one line that says the table at `where` is damaged."""
    problem = trial_id_problem(trial_id)
    if problem is not None:
        raise GwinError(
            f"{where} lists the trial id {trial_id!r}, which {problem}: a trial id names one "
            f"folder of trial_outputs/; the table is damaged or not gwin's{repair_hint(where)}"
        )
    return str(trial_id)


def check_trial_ids(trial_ids: Iterable[object], where: str) -> None:
    for trial_id in trial_ids:
        check_trial_id(trial_id, where)


def repair_hint(where: str) -> str:
    """What to do about a damaged file at `where`: in a study (its index, or a file of a folder
    under trial_outputs/), run `gwin upgrade --repair STUDY`; else re-run the trial."""
    study = None
    if where.endswith("/results/trials.parquet"):
        study = where.removesuffix("/results/trials.parquet")
    elif "/trial_outputs/" in where:
        study = where.rsplit("/trial_outputs/", 1)[0]
    if study is None:
        return "; re-run the trial that wrote it (gwin trial with --overwrite)"
    return (
        f"; run `gwin upgrade --repair {study}` to rebuild the study's index from its trial "
        "folders and set damaged trials aside"
    )


def _is_inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def check_inside(base: Folder, *parts: str) -> None:
    """Refuse `base`/`parts` in one line if, its links followed, it is outside `base`; so are
    the links directly inside it and inside its model/ folder (what readers open)."""
    if not base.local:
        return  # object stores have no symbolic links, and trial ids are checked names
    root = os.path.realpath(base.root)
    path = base.path(*parts)
    entries = [path]
    for folder in (path, os.path.join(path, "model")):
        if os.path.isdir(folder) and _is_inside(os.path.realpath(folder), root):
            with os.scandir(folder) as found:
                entries += [e.path for e in found if e.is_symlink()]
    for entry in entries:
        target = os.path.realpath(entry)
        if not _is_inside(target, root):
            shown = base.location_of(os.path.relpath(entry, base.root))
            raise GwinError(
                f"{shown} leads to {target}, outside {base.location}; a study's (or trial's) "
                "files must be inside its folder: copy the file in instead of linking it"
            )


__all__ = ["check_inside", "check_trial_id", "check_trial_ids", "repair_hint", "trial_id_problem"]
