"""`gwin upgrade --repair STUDY`: make a damaged study readable again, losing nothing.

Every trial folder is checked (each table's footer, its columns and version, its row naming its
own folder, no link leading outside the study); a folder with a damaged file is set aside as
trial_outputs/.damaged-<trial_id> (hidden: no index rebuild adds it again, and a `--resume`
of the study runs that trial again), never deleted. The index is then rebuilt from the folders
that remain, so rows of deleted trials, of a cut-short or hostile index, go. One line is
reported per damaged file and per dropped row, then a summary.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from gwin.errors import GwinError
from gwin.store.damage import file_problem
from gwin.store.guard import check_inside
from gwin.store.index import read_index, rebuild_index, trial_row
from gwin.store.location import OUTPUTS_DIR, Folder, list_dirs, list_files
from gwin.store.schema import REQUIRED_COLUMNS, TRIAL_TABLES
from gwin.store.trial_outputs import is_complete, trial_folder

SET_ASIDE = ".damaged-"


@dataclass
class Repair:
    """What a repair found and did, as the lines it reports."""

    damaged: list[str] = field(default_factory=list)  # "<file> <what is wrong>"
    set_aside: dict[str, str] = field(default_factory=dict)  # trial id -> its new folder name
    dropped: list[str] = field(default_factory=list)  # index rows whose trial folder is gone
    counts: dict[str, int] = field(default_factory=dict)  # the rebuilt index's ok and error

    def lines(self, location: str) -> list[str]:
        aside = ", ".join(f"{OUTPUTS_DIR}/{name}" for name in self.set_aside.values())
        summary = (
            f"{location}: index rebuilt from the trial folders, {self.counts['ok']} ok, "
            f"{self.counts['error']} failed; "
            + (
                f"{len(self.set_aside)} trial folders set aside ({aside}; a --resume of the "
                "study runs them again)"
                if self.set_aside
                else "nothing set aside"
            )
            + f"; {len(self.dropped)} index rows dropped"
        )
        return [
            *(f"damaged: {line}" for line in self.damaged),
            *(f"set aside: trial {t} as {OUTPUTS_DIR}/{n}" for t, n in self.set_aside.items()),
            *(
                f"dropped: trial {t} from the index (no finished or failed trial in "
                f"{OUTPUTS_DIR}/{t})"
                for t in self.dropped
            ),
            summary,
        ]


def _short(err: GwinError) -> str:
    # the advice to run this repair is no news to it
    return str(err).split("; run `gwin upgrade --repair", 1)[0]


def trial_problems(study: Folder, trial_id: str) -> list[str]:
    """What is wrong with a trial folder, one "<file> <problem>" per damaged file."""
    try:
        check_inside(study, OUTPUTS_DIR, trial_id)
        folder = trial_folder(study, trial_id)
        trial_row(study, trial_id)  # readable, and naming this folder's trial
    except GwinError as err:
        return [_short(err)]
    if not is_complete(folder):
        return []  # failed for good (error.json, read above) or not finished: nothing to read
    problems = []
    for table in TRIAL_TABLES:
        name = f"{table}.parquet"
        problem = file_problem(folder.fs, folder.path(name), REQUIRED_COLUMNS[table])
        if problem:
            problems.append(f"{folder.location_of(name)} {problem}")
    return problems


def _set_aside(study: Folder, trial_id: str) -> str:
    """Move the trial's folder to a hidden name beside it (a link is moved, not followed)."""
    name = f"{SET_ASIDE}{trial_id}"
    if study.exists(OUTPUTS_DIR, name):
        name += f"-{uuid.uuid4().hex[:6]}"
    fs, source, target = study.fs, study.path(OUTPUTS_DIR, trial_id), study.path(OUTPUTS_DIR, name)
    if study.local:
        fs.move(source, target)
    else:  # object stores move objects, not folders
        for path in list_files(fs, source):
            fs.move(path, str(PurePosixPath(target, PurePosixPath(path).relative_to(source))))
        fs.delete_dir(source)
    return name


def repair(study: Folder) -> Repair:
    """Check every trial folder, set the damaged ones aside, rebuild the index."""
    report = Repair()
    try:
        index = read_index(study)
        before = [] if index is None else [str(t) for t in index.column("trial_id").to_pylist()]
    except GwinError as err:
        report.damaged.append(_short(err))
        before = []
    for trial_id in list_dirs(study.fs, study.path(OUTPUTS_DIR)):
        problems = trial_problems(study, trial_id)
        if problems:
            report.damaged += problems
            report.set_aside[trial_id] = _set_aside(study, trial_id)
    report.counts = rebuild_index(study)
    rebuilt = read_index(study)
    kept = set() if rebuilt is None else set(map(str, rebuilt.column("trial_id").to_pylist()))
    report.dropped = [t for t in before if t not in kept and t not in report.set_aside]
    return report


__all__ = ["SET_ASIDE", "Repair", "repair", "trial_problems"]
