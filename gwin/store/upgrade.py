"""Convert a study or trial folder written with results schema v2 to this version, in place.

    python -m gwin.store.upgrade LOCATION     (a study folder STORAGE/NAME, or a trial's --out)

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
import pyarrow.parquet as pq

from gwin.errors import GwinError, OneLineParser, command
from gwin.store.index import rebuild_index
from gwin.store.location import OUTPUTS_DIR, RESULTS_DIR, Folder, delete_file, exists, list_dirs
from gwin.store.schema import SCHEMA_VERSION, UPGRADABLE, VERSION_KEY
from gwin.store.trial_outputs import is_complete, write_trial


def _version(folder: Folder, name: str) -> int:
    metadata = pq.read_schema(folder.path(name), filesystem=folder.fs).metadata or {}
    return int(metadata.get(VERSION_KEY, b"1"))


def _read(folder: Folder, name: str) -> pd.DataFrame:
    return pq.read_table(folder.path(name), filesystem=folder.fs).to_pandas()


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


def upgrade(location: str) -> dict[str, int]:
    """Convert every trial of a study (or the one trial at `location`); returns counts."""
    folder = Folder.at(location)
    if not folder.exists():
        raise GwinError(f"{folder.location} does not exist; pass a study folder or a trial's --out")
    if not folder.exists(OUTPUTS_DIR):
        if not is_complete(folder):
            raise GwinError(f"{folder.location} is neither a gwin study nor a finished trial")
        return {"converted": int(upgrade_trial(folder)), "trials": 1}
    ids = list_dirs(folder.fs, folder.path(OUTPUTS_DIR))
    converted = 0
    for i, trial_id in enumerate(ids, 1):
        trial = folder.child(OUTPUTS_DIR, trial_id)
        if is_complete(trial):
            converted += upgrade_trial(trial)
        print(f"\r[gwin] upgraded {i}/{len(ids)} trial folders", end="", file=sys.stderr)
    print(file=sys.stderr)
    counts = rebuild_index(folder)
    # the consolidated v2 copies, now read from the trial folders instead
    if exists(folder.fs, folder.path(RESULTS_DIR, "predictions")):
        folder.fs.delete_dir(folder.path(RESULTS_DIR, "predictions"))
    delete_file(folder.fs, folder.path(RESULTS_DIR, "examples.parquet"))
    return {"converted": converted, "trials": counts["ok"] + counts["error"]}


@command()
def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "location", help="a study folder (STORAGE/NAME or a URI) or a trial's --out"
    )
    args = parser.parse_args(argv)
    counts = upgrade(args.location)
    print(
        f"{args.location}: {counts['converted']} of {counts['trials']} trials converted to "
        f"results schema v{SCHEMA_VERSION}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
