"""What a study prints: the dry-run plan, the header, and the final summary with the next
commands (how much more it prints: gwin.tune.verbosity)."""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
import time
from collections.abc import Callable

from gwin.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, command
from gwin.store.location import Folder
from gwin.tune.plan import Plan


def unfinished(grid, expected: int | None = None) -> int:
    """Trials of a Tune run that neither finished nor failed. After Ctrl+C, Tune returns
    normally and lists only the trials it had created, hence `expected` (the planned count)."""
    created = len(grid)
    return max(expected or 0, created) - grid.num_terminated - grid.num_errors


def command_line(argv: list[str] | None, resume: bool = True) -> str:
    args = list(sys.argv[1:] if argv is None else argv)
    if resume:
        from gwin.tune.extend import resume_args

        args = resume_args(args)
    if resume and "--resume" not in args:
        args.append("--resume")
    script = os.path.relpath(sys.argv[0]) if sys.argv[0].endswith(".py") else "<study script>"
    return shlex.join(["python", script, *args])


def study_command(main: Callable[..., int]) -> Callable[..., int]:
    """A study's main under gwin.errors.command: Ctrl+C prints the command that resumes it."""
    return command(lambda kw: f"interrupted; continue with: {command_line(kw.get('argv'))}")(main)


def summarize(study: Folder, grids: list, left: int, started: float, argv: list[str] | None) -> int:
    """Index the study's trials once more and print what happened, where results are, what to
    run next.

    `left`: planned trials not finished (interrupted); the exit status is then 130."""
    import pyarrow as pa

    from gwin.store.index import rebuild_index
    from gwin.tune.storage_watch import storage_error

    try:
        counts = rebuild_index(study)
    except (OSError, pa.ArrowException) as err:
        raise storage_error(study, err) from err
    ended = sum(1 for g in grids for r in g if r.error is None)
    # finished trials report `trial_key` last; ASHA-stopped ones never get there
    stopped = ended - sum(
        1 for g in grids for r in g if {"trial_key", "diverged"} & set(r.metrics or {})
    )
    stopped = max(0, stopped - left)
    minutes, seconds = divmod(int(time.time() - started), 60)
    lines = [
        f"\nstudy {study.location}: {counts['ok']} trials ok, {counts['error']} failed"
        + (f", {left} unfinished" if left else "")
        + (f", {stopped} stopped early" if stopped else "")
        + f" ({minutes}m{seconds:02d}s)",
        f"results: {study.location_of('results', 'trials.parquet')} (the index)",
        f"trials:  {study.location_of('trial_outputs')}/<trial_id>/ (each trial's tables)",
        f"tables:  gwin tables {study.location}",
    ]
    if counts["error"]:
        lines.append(
            "failed trials have status 'error' and their message in trials.parquet; "
            f"retry them with: {command_line(argv)}"
        )
    if left:
        lines.append(f"interrupted; continue with: {command_line(argv)}")
    print("\n".join(lines), flush=True)
    return EXIT_INTERRUPTED if left else (EXIT_FAILED if counts["error"] else EXIT_OK)


def nothing_to_do(study: Folder, wanted: list[str]) -> int:
    """A study whose every planned trial has results: say so and stop, without Ray. Rows that
    a driver killed after a trial's end left out of the index are put in first."""
    from gwin.store.index import index_trials, read_index

    index = read_index(study)
    indexed = set() if index is None else set(index.column("trial_id").to_pylist())
    if missing := set(wanted) - indexed:
        index_trials(study, missing)
    print(
        f"nothing to do: all {len(wanted)} trials of study {study.location} are finished; "
        f"results: {study.location_of('results', 'trials.parquet')}",
        flush=True,
    )
    return EXIT_OK


def header(name: str, plan: Plan, todo: int) -> str:
    """The line a grid study starts with (not with -q): the trials it runs (the summary says
    where their results are)."""
    total = len(plan.configs())
    count = f"{todo} trials" if todo == total else f"{todo} of its {total} trials"
    axes = " x ".join(f"{k} {len(v)}" for k, v in plan.axes.items())
    return f"study {name}: {count} to run ({axes})"


def describe(plan: Plan, args: argparse.Namespace, study: Folder) -> str:
    """The dry-run report: every trial, the shared settings, resources and storage."""
    import pandas as pd

    configs, params = plan.configs(), plan.params()
    rows = [
        {"trial_id": c.trial_key(), **{k: p[k] for k in plan.axes}}
        for c, p in zip(configs, params, strict=True)
    ]
    shared = {k: v for k, v in plan.base.items() if k not in ("preset", "variants")}
    first = configs[0]
    lines = [
        f"study {args.name}: {len(rows)} trials = "
        + " x ".join(f"{k} ({len(v)})" for k, v in plan.axes.items()),
        f"every trial: preset {args.preset}"
        + "".join(f", {k}={v}" for k, v in shared.items())
        + f" (iterations={first.iterations}, clf_epochs={first.clf_epochs}, dim={first.dim})",
        pd.DataFrame(rows).to_string(index=False),
        *[
            f"variant {name}: {overrides}"
            for name, overrides in plan.base.get("variants", {}).items()
        ],
        resources_line(args, len(rows)),
        f"storage: {study.location} (results in {study.location_of('results')})",
    ]
    return "\n".join(lines)


def resources_line(args: argparse.Namespace, n_trials: int) -> str:
    device = args.device or "auto (CUDA when the trial holds a GPU)"
    line = (
        f"resources: each trial asks for {args.cpus_per_trial:g} CPU and "
        f"{args.gpus_per_trial:g} GPU; device {device}"
    )
    if args.address is not None:
        return line + f"; runs on the cluster at {args.address} as its resources allow"
    slots = math.floor((os.cpu_count() or 1) / args.cpus_per_trial)
    if args.gpus_per_trial > 0:
        import torch

        slots = min(slots, math.floor(torch.cuda.device_count() / args.gpus_per_trial))
    if args.max_concurrent:
        slots = min(slots, args.max_concurrent)
    return line + (
        f"; this machine ({os.cpu_count()} CPUs) runs up to {min(slots, n_trials)} at once"
    )
