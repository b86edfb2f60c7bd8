"""Growing a grid study: `--extend` (a grid that holds every stored trial and more) and
`--add-seeds N` (N more seeds, the other settings the study's own STUDY/config.yaml). Only the
trials the study lacks run, in a Tune run of their own (STUDY/tune/grid-2, grid-3, ...); and a
study with nothing left to run says so before Ray starts.

--resume stays what it was: the stored study exactly (gwin.tune.plan_file refuses other
grids). A grid that drops stored trials is refused with --extend too: a study only grows.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gwin.config_file import CONFIG_FILE
from gwin.errors import GwinError
from gwin.store.location import OUTPUTS_DIR, Folder, list_dirs
from gwin.tune.plan import MAX_SEEDS, distinct_seeds, seeds_from

INVOCATION = ("extend", "add_seeds")  # flags about this run, never written to config.yaml
# What replaces `--add-seeds N` in the command that resumes this run (gwin.tune.study_console):
# run again, --add-seeds would add N seeds more; the resume asks for the seeds it added.
resume_tokens: list[str] = []


def add_extend_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("growing a study")
    g.add_argument(
        "--extend",
        action="store_true",
        help="add trials to an existing study: the flags describe a grid holding all its "
        "trials and more (e.g. another --lambdas value); only the new (and unfinished) "
        "trials run",
    )
    g.add_argument(
        "--add-seeds",
        type=int,
        default=None,
        metavar="N",
        help="run N more seeds of an existing study (after its largest seed), with the "
        "settings of its config.yaml (flags still override them); implies --extend",
    )


def _pre_parse(argv: list[str]) -> argparse.Namespace:
    pre = argparse.ArgumentParser(add_help=False)
    for flag in ("--add-seeds", "--storage", "--name", "--config"):
        pre.add_argument(flag, default=None)
    return pre.parse_known_args(argv)[0]


def with_study_config(argv: list[str] | None, name: str) -> list[str] | None:
    """For --add-seeds: the argv with `--config STUDY/config.yaml` first (the study's settings,
    which the user's flags override), and the study's folder pinned to the one found."""
    argv = sys.argv[1:] if argv is None else list(argv)
    resume_tokens.clear()
    known = _pre_parse(argv)
    if known.add_seeds is None or known.config is not None:
        return argv
    storage, study_name = known.storage or "runs", known.name or name
    study = Folder.at(Folder.at(storage).location_of(study_name))
    if not study.local:
        raise GwinError(
            f"--add-seeds reads {study.location_of(CONFIG_FILE)}, which must be on local "
            "storage; pass --config FILE with the study's settings"
        )
    if not study.exists(CONFIG_FILE):
        raise GwinError(
            f"--add-seeds {known.add_seeds}: {study.location_of(CONFIG_FILE)} not found; "
            "--add-seeds grows an existing study (start it without --add-seeds, or pass "
            "--storage and --name of the study to grow)"
        )
    resume_tokens[:] = ["--config", study.location_of(CONFIG_FILE)]
    return ["--config", study.location_of(CONFIG_FILE), *argv, "--storage", storage,
            "--name", study_name]  # fmt: skip


def apply_add_seeds(args: argparse.Namespace) -> None:
    """--add-seeds N: the seeds the settings give, then N more after the largest, as
    --seed-list (what config.yaml then records); it implies --extend."""
    if args.add_seeds is None:
        return
    if args.add_seeds < 1:
        raise GwinError(f"--add-seeds must be >= 1, got {args.add_seeds}")
    had = (
        seeds_from(args.seeds)
        if args.seed_list is None
        else distinct_seeds(args.seed_list, "--seed-list")
    )
    if len(had) + args.add_seeds > MAX_SEEDS:
        raise GwinError(f"--add-seeds {args.add_seeds}: a study runs at most {MAX_SEEDS} seeds")
    start = max(had) + 1
    args.seed_list = [*had, *range(start, start + args.add_seeds)]
    args.extend = True
    resume_tokens[len(resume_tokens) :] = ["--seed-list", *map(str, args.seed_list)]


def resume_args(args: list[str]) -> list[str]:
    """A command line's flags for resuming it: `--add-seeds N` becomes the seeds it added."""
    if "--add-seeds" not in args or not resume_tokens:
        return args
    at = args.index("--add-seeds")
    return [*args[:at], *resume_tokens, *args[at + 2 :]]


def finished_ids(study: Folder) -> set[str]:
    """Trials of the study with results (trials.parquet); failed ones are not finished: a
    resume retries them."""
    outputs = study.child(OUTPUTS_DIR)
    return {t for t in list_dirs(study.fs, outputs.root) if outputs.exists(t, "trials.parquet")}


def next_run(stored: dict[str, Any] | None, wanted: list[str]) -> tuple[str, list[str]]:
    """(the Tune run for this driver, the study's runs after it): the stored study's last run,
    or a new one when the grid adds trials to it."""
    runs = list((stored or {}).get("runs", ["grid"]))
    if stored is not None and set(wanted) - set(stored.get("trial_ids", [])):
        runs.append(f"grid-{len(runs) + 1}")
    return runs[-1], runs


__all__ = [
    "INVOCATION",
    "add_extend_flags",
    "apply_add_seeds",
    "finished_ids",
    "next_run",
    "resume_args",
    "with_study_config",
]
