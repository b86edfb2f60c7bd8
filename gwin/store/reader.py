"""Read results from wherever a study or a trial wrote them: a local or NFS folder, or any
`pyarrow.fs` URI (s3://bucket/prefix/NAME, gs://...), exactly as the study printed it.

A location may be a study folder (STORAGE/NAME), its `results/` folder, or one trial's folder
(`python -m gwin trial --out DIR`). The trials table (a study's index, or the trial's own row)
is read whole; every other table lives in the trial folders and is read per trial, only the
trials, columns and rows asked for, so memory follows the question, not the study's size.
Files of another schema version are refused in one line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from gwin.errors import GwinError
from gwin.method.rejection import DEFAULT_TAUS
from gwin.store.guard import check_inside, check_trial_ids
from gwin.store.index import INDEX_PARTS, read_index, unindexed
from gwin.store.location import OUTPUTS_DIR, RESULTS_DIR, Folder, name_of
from gwin.store.schema import TRIAL_TABLES, check_columns
from gwin.store.trial_outputs import read_parquet, trial_folder

Filters = list[tuple[str, str, object]]
READ_THREADS = 16  # small files: threads hide an object store's latency


@dataclass(frozen=True)
class Source:
    """Where a location's trials are: a study (its index and trial_outputs/) or one trial."""

    folder: Folder  # the study folder, or the trial folder itself
    is_study: bool

    def trial(self, trial_id: str) -> Folder:
        """The trial's folder, checked to be inside the location (gwin.store.guard)."""
        if self.is_study:
            return trial_folder(self.folder, trial_id)
        check_inside(self.folder)
        return self.folder


def _not_found(folder: Folder) -> GwinError:
    where = folder.location
    if not folder.exists():
        return GwinError(
            f"results location {where} does not exist; pass the study or trial folder (or URI) "
            "that the study or `python -m gwin trial` printed"
        )
    if folder.exists(OUTPUTS_DIR):
        return GwinError(
            f"no trials table in study {where} yet: no trial has finished; wait for one, or "
            "continue the study with --resume"
        )
    return GwinError(
        f"{where} is not a gwin study or trial folder (no trials.parquet, {RESULTS_DIR}/ or "
        f"{OUTPUTS_DIR}/ in it); pass STORAGE/NAME as the study printed it, or a trial's --out"
    )


def locate(location: str | os.PathLike | Folder) -> Source:
    """The study or trial a location names (a study's `results/` names its study)."""
    folder = location if isinstance(location, Folder) else Folder.at(location)
    if folder.exists(*INDEX_PARTS):
        return Source(folder, True)
    if folder.exists("trials.parquet"):
        study = _parent(folder)
        if name_of(folder.location) == RESULTS_DIR and study.exists(OUTPUTS_DIR):
            return Source(study, True)
        return Source(folder, False)
    if folder.exists(OUTPUTS_DIR) and unindexed(folder) is not None:
        return Source(folder, True)  # the driver stopped before its first index write
    raise _not_found(folder)


def _parent(folder: Folder) -> Folder:
    return Folder.at(folder.location.rstrip("/").rsplit("/", 1)[0])


def _trials(source: Source) -> pd.DataFrame:
    if source.is_study:
        table = read_index(source.folder)
        if table is None:
            table = unindexed(source.folder)
    else:
        check_inside(source.folder)
        table = read_parquet(source.folder, "trials.parquet")
    if table is None:
        raise GwinError(f"{source.folder.location} holds no trials table")
    frame = table.to_pandas()
    check_columns(list(frame.columns), "trials", f"{source.folder.location} (trials)")
    # a study's index is checked as it is read (gwin.store.index); a trial's own row here
    check_trial_ids(frame["trial_id"], source.folder.location_of("trials.parquet"))
    return frame


def read_files(
    folders: Sequence[Folder],
    table: str,
    columns: Sequence[str] | None = None,
    filters: Filters | None = None,
) -> pa.Table:
    """One table of several trial folders, concatenated (only `columns`, rows passing
    `filters`); each file's schema version is checked."""

    def one(folder: Folder) -> pa.Table:
        wanted = list(columns) if columns else None
        return read_parquet(folder, f"{table}.parquet", columns=wanted, filters=filters)

    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        parts = [p for p in pool.map(one, folders) if p.num_columns]
    if not parts:
        return pa.table({})
    return pa.concat_tables(parts, promote_options="permissive")


def _as_str(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for c in columns:
        if c in frame.columns:
            frame[c] = frame[c].astype(str)
    return frame


@dataclass(frozen=True)
class Sources:
    """Several locations read as one: each trial's folder is looked up in the one holding it."""

    by_trial: dict[str, Source]

    def trial(self, trial_id: str) -> Folder:
        return self.by_trial[trial_id].trial(trial_id)


@dataclass
class Results:
    """The trials of a results location; their per-trial tables are read on demand."""

    source: str  # the location as given: a local path or a URI
    trials: pd.DataFrame  # status == 'ok' only
    failed: pd.DataFrame  # status != 'ok'
    where: Source | Sources
    notes: list[str] = field(default_factory=list)

    @property
    def taus(self) -> list[float]:
        """Every tau any trial evaluated (the union of the trials' `taus`)."""
        found = {float(t) for value in self.trials.get("taus", []) for t in json.loads(value)}
        return sorted(found) or list(DEFAULT_TAUS)

    def read(
        self,
        table: str,
        trial_ids: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        split: str | None = None,
        corruption: str | None = None,
    ) -> pd.DataFrame:
        """A per-trial table (`sweeps`, `selective`, `history`, `predictions`, `examples`) of
        the ok trials `trial_ids` (default: all), optionally one split / corruption."""
        if table not in TRIAL_TABLES or table == "trials":
            raise GwinError(f"unknown per-trial table {table!r}; one of {TRIAL_TABLES[:-1]}")
        ids = list(self.trials["trial_id"]) if trial_ids is None else list(trial_ids)
        filters: Filters = []
        if split is not None:
            filters.append(("split", "=", split))
        if corruption is not None:
            filters.append(("corruption", "=", corruption))
        folders = [self.where.trial(t) for t in ids]
        frame = read_files(folders, table, columns, filters).to_pandas()
        return _as_str(frame, ["trial_id", "split", "corruption"])

    def examples(self, trial_ids: Sequence[str] | None = None) -> pd.DataFrame:
        return self.read("examples", trial_ids)


def load_results(location: str | os.PathLike) -> Results:
    """Read a study, its `results/` or a trial folder (local or URI); keep the 'ok' trials."""
    where = locate(location)
    source = Folder.at(location).location
    trials = _as_str(_trials(where), ["trial_id", "status"])
    if trials.empty:
        raise GwinError(f"{source} holds no trials; run the study (or a trial) first")
    ok = trials["status"] == "ok"
    if not ok.any():
        first = (str(trials["error"].iloc[0]).strip().splitlines() or [""])[0][:200]
        raise GwinError(
            f"none of the {len(trials)} trials in {source} succeeded; first error: "
            f"{first or 'unknown'} (fix it and re-run with --resume)"
        )
    return Results(
        source, trials[ok].reset_index(drop=True), trials[~ok].reset_index(drop=True), where
    )


def load_many(locations: Sequence[str | os.PathLike]) -> Results:
    """Several results locations read as one, e.g. one study per seed, so that tables aggregate
    over all their trials. A trial id in two of them is refused: it would count twice."""
    if len(locations) == 1:
        return load_results(locations[0])
    parts = [load_results(location) for location in locations]
    by_trial: dict[str, Source] = {}
    seen_in: dict[str, str] = {}
    for part in parts:
        for trial_id in part.trials["trial_id"]:
            if trial_id in seen_in:
                raise GwinError(
                    f"trial {trial_id} is in both {seen_in[trial_id]} and {part.source}: it "
                    "would count twice; pass each study once"
                )
            seen_in[trial_id] = part.source
            assert isinstance(part.where, Source)  # load_results reads one location
            by_trial[trial_id] = part.where
    trials = pd.concat([p.trials for p in parts], ignore_index=True)
    failed = pd.concat([p.failed for p in parts], ignore_index=True)
    source = " + ".join(p.source for p in parts)
    return Results(source, trials, failed, Sources(by_trial))


def read_table(location: str | os.PathLike | Folder, table: str) -> pd.DataFrame:
    """One whole results table as a pandas frame: "trials" (every row, ok and failed), or a
    per-trial table of every ok trial. Loads all of it: for large studies use `load_results`
    and `Results.read` with the trials, columns and split needed."""
    where = locate(location)
    trials = _trials(where)
    if table == "trials":
        return trials
    ok = trials[trials["status"] == "ok"]
    if ok.empty:
        raise GwinError(f"none of the {len(trials)} trials in {where.folder.location} succeeded")
    results = Results(where.folder.location, ok, trials, where)
    frame = results.read(table)
    check_columns(list(frame.columns), table, f"{where.folder.location} ({table})")
    return frame


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike, table: str = "") -> None:
    """Write one stamped results table to a local path or URI, atomically (tests and tools;
    trials and studies write through gwin.store.trial_outputs)."""
    from gwin.store.atomic import write_table
    from gwin.store.schema import to_arrow

    folder = Folder.at(path)
    write_table(folder.fs, folder.root, to_arrow(frame, table))


__all__ = ["Results", "load_results", "locate", "read_files", "read_table", "write_parquet"]
