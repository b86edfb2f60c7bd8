"""Convert a study or trial folder written with results schema v2 to this version, in place.

    python -m gwin.store.upgrade LOCATION     (a study folder STORAGE/NAME, or a trial's --out)
    python -m gwin.store.upgrade --repair STUDY   (a damaged study: gwin.store.repair)

v2 kept each trial's tables in its folder and a consolidated copy of all predictions under
results/. v3 keeps only the trial folders, adds the summaries computed once per trial (sweeps,
selective) and an empty history (v2 stored none), and makes results/trials.parquet an index of
them. Trials are converted one at a time (memory: one trial), each written as one unit
(gwin.store.trial_outputs), so an interrupted upgrade is simply run again; the consolidated v2
copies are deleted last. Numbers do not change: the summaries are computed from the same
predictions the v2 tables were.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gwin.errors import GwinError, OneLineParser, command
from gwin.store.damage import check_is_file, damaged
from gwin.store.index import rebuild_index
from gwin.store.location import (
    OUTPUTS_DIR,
    RESULTS_DIR,
    Folder,
    delete_file,
    exists,
    list_dirs,
    name_of,
)
from gwin.store.repair import repair
from gwin.store.schema import SCHEMA_VERSION, UPGRADABLE, VERSION_KEY
from gwin.store.trial_outputs import is_complete, trial_folder, write_trial


def _version(folder: Folder, name: str) -> int:
    path, where = folder.path(name), folder.location_of(name)
    check_is_file(folder.fs, path, where)
    try:
        metadata = pq.read_schema(path, filesystem=folder.fs).metadata or {}
    except (OSError, pa.ArrowException) as err:
        raise damaged(where, err) from err
    return int(metadata.get(VERSION_KEY, b"1"))


def _read(folder: Folder, name: str) -> pd.DataFrame:
    path, where = folder.path(name), folder.location_of(name)
    check_is_file(folder.fs, path, where)
    try:
        return pq.read_table(path, filesystem=folder.fs).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise damaged(where, err) from err


def upgrade_trial(folder: Folder) -> bool:
    """Convert one complete trial folder; False if it already is of this version."""
    found = _version(folder, "trials.parquet")
    if found == SCHEMA_VERSION:
        return False
    if found not in UPGRADABLE:
        raise GwinError(
            f"{folder.location} holds results schema v{found}; this upgrade converts "
            f"v{', v'.join(map(str, sorted(UPGRADABLE)))} only: re-run that trial or study"
        )
    record = _read(folder, "trials.parquet").to_dict("records")[0]
    examples = _read(folder, "examples.parquet") if folder.exists("examples.parquet") else None
    result = SimpleNamespace(
        record=record,
        predictions=_read(folder, "predictions.parquet"),
        examples=pd.DataFrame() if examples is None else examples,
        history=[],
    )
    write_trial(folder, result)
    return True


def _study_of(folder: Folder) -> Folder:
    """A study's results/ names its study, as it does for readers (gwin.store.reader)."""
    parent = Folder.at(folder.location.rstrip("/").rsplit("/", 1)[0])
    if name_of(folder.location) == RESULTS_DIR and parent.exists(OUTPUTS_DIR):
        return parent
    return folder


def upgrade(location: str) -> dict[str, int]:
    """Convert every trial of a study (or the one trial at `location`) and rebuild the study's
    index from its trial folders (a stale index is rebuilt too); returns counts."""
    folder = _study_of(Folder.at(location))
    if not folder.exists():
        raise GwinError(f"{folder.location} does not exist; pass a study folder or a trial's --out")
    if not folder.exists(OUTPUTS_DIR):
        if not is_complete(folder):
            raise GwinError(f"{folder.location} is neither a gwin study nor a finished trial")
        return {"converted": int(upgrade_trial(folder)), "trials": 1}
    ids = list_dirs(folder.fs, folder.path(OUTPUTS_DIR))
    converted = 0
    for i, trial_id in enumerate(ids, 1):
        trial = trial_folder(folder, trial_id)
        if is_complete(trial):
            converted += upgrade_trial(trial)
        print(f"\r[gwin] upgraded {i}/{len(ids)} trial folders", end="", file=sys.stderr)
    if ids:
        print(file=sys.stderr)
    counts = rebuild_index(folder)
    # the consolidated v2 copies, now read from the trial folders instead
    if exists(folder.fs, folder.path(RESULTS_DIR, "predictions")):
        folder.fs.delete_dir(folder.path(RESULTS_DIR, "predictions"))
    delete_file(folder.fs, folder.path(RESULTS_DIR, "examples.parquet"))
    return {"converted": converted, "trials": counts["ok"] + counts["error"]}


def repair_study(location: str) -> list[str]:
    """`--repair`: the study's trials converted where they can be, damaged trial folders set
    aside, the index rebuilt (gwin.store.repair); the lines to report."""
    folder = _study_of(Folder.at(location))
    if not folder.exists(OUTPUTS_DIR):
        raise GwinError(
            f"{folder.location} is no study folder (no {OUTPUTS_DIR}/ in it); --repair rebuilds "
            "a study's index: a single trial with a damaged file is re-run with --overwrite"
        )
    for trial_id in list_dirs(folder.fs, folder.path(OUTPUTS_DIR)):
        try:  # a v2 trial is converted first, or its version would read as damage
            trial = trial_folder(folder, trial_id)
            if is_complete(trial):
                upgrade_trial(trial)
        except GwinError:
            pass  # damaged: repair() finds it again and says which file
    return repair(folder).lines(folder.location)


@command()
def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "location", help="a study folder (STORAGE/NAME or a URI) or a trial's --out"
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="rebuild a damaged study's index from its trial folders: damaged trial folders "
        "are set aside as trial_outputs/.damaged-<id> (a --resume runs them again); one line "
        "per damaged file and dropped row, then a summary",
    )
    args = parser.parse_args(argv)
    if args.repair:
        print("\n".join(repair_study(args.location)))
        return 0
    counts = upgrade(args.location)
    print(
        f"{args.location}: {counts['converted']} of {counts['trials']} trials converted to "
        f"results schema v{SCHEMA_VERSION}; index rebuilt from the trial folders"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
