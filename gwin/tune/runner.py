"""The shared study runner: flags -> validated grid -> Ray Tune -> indexed Parquet results.

Every script in studies/ calls `study_main` (a grid) or `gwin.tune.search.search_main` (an
Optuna search). Errors in the input exit with status 2 and one line on stderr, before Ray starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from gwin.device import check_study_devices
from gwin.errors import EXIT_OK, GwinError
from gwin.faults import Faults
from gwin.store.location import (
    CACHE_DIR,
    TUNE_DIR,
    Folder,
    check_writable,
    is_empty,
)
from gwin.store.trial_outputs import done_ids
from gwin.tune.address import check_address
from gwin.tune.driver_lock import (
    DriverLease,
    exclusive_driver,
    refusal,
    running_owner,
)
from gwin.tune.extend import finished_ids, next_run
from gwin.tune.flags import AxisFlag, parse_study
from gwin.tune.plan_file import check_same_plan, write_plan
from gwin.tune.ray_session import ray_session
from gwin.tune.storage_watch import storage_error, storage_failure, storage_stopper
from gwin.tune.study_console import (
    describe,
    header,
    nothing_to_do,
    study_command,
    summarize,
)
from gwin.tune.trackers import check_tracker, picture_every, tracker_callbacks
from gwin.tune.trainable import TrialRuntime
from gwin.tune.tune_state import damaged_state_files, set_aside
from gwin.tune.verbosity import say

CHECKPOINTS_KEPT = 2  # per running trial; why 2: at tune.CheckpointConfig below


def study_paths(args: argparse.Namespace) -> Folder:
    storage = Folder.at(args.storage)
    return Folder.at(storage.location_of(args.name))


def preflight(args: argparse.Namespace) -> None:
    """Checks that need no storage and no Ray: devices and the cluster address."""
    check_study_devices(args.device, args.gpus_per_trial, args.address)
    check_tracker(args)
    if args.address is not None and not args.dry_run:
        check_address(args.address)


@contextmanager
def owned_study(args: argparse.Namespace) -> Iterator[tuple[Folder, DriverLease]]:
    """The study folder, writable, and held by this driver alone while the block runs (a study
    that another driver runs is refused first: that, not --resume, is what the user needs)."""
    study = study_paths(args)
    if (owner := running_owner(study)) is not None:
        raise refusal(study, owner)  # before "pass --resume": resuming would be refused too
    if not is_empty(study) and not args.resume:
        raise GwinError(
            f"study folder {study.location} already exists; pass --resume to "
            "continue it, or --name NAME to start another study"
        )
    check_writable(study)
    with exclusive_driver(study) as lease:
        yield study, lease


def _absolute(path: str | None) -> str | None:
    # Tune starts each trial in its own folder, so relative paths would move.
    return None if path is None else os.path.abspath(os.path.expanduser(path))


def runtime_for(args: argparse.Namespace, study: Folder, run: str) -> TrialRuntime:
    # The study's own cache on any storage: its leases (gwin.store.lease) work on object
    # stores too, so the trials of every node share one classifier, which outlives the node
    # that trained it. A --cache-dir path is made absolute (Tune starts each trial in its own
    # folder); a URI is kept as it is.
    cache = Folder.at(args.cache_dir).location if args.cache_dir else study.location_of(CACHE_DIR)
    return TrialRuntime(
        study_name=args.name,
        run=run,
        location=study.location,
        cache_dir=cache,
        data_dir=_absolute(args.data_dir),
        device=args.device or "auto",
        progress=bool(args.progress),
        cpus_per_trial=args.cpus_per_trial,
        faults=Faults.from_args(args),
        picture_every=picture_every(args),
    )


def tune_config(args: argparse.Namespace, **options: Any):
    """Tune's settings for a study run: trials named by their gwin trial id (console, logs and
    folders: gwin.tune.trial_names), at most --max-concurrent at once, actors reused."""
    from ray import tune

    from gwin.tune.trial_names import trial_dirname, trial_name

    options = {"max_concurrent_trials": args.max_concurrent, **options}
    return tune.TuneConfig(
        reuse_actors=True,  # a reused actor keeps torch and gwin imported: seconds per trial
        trial_name_creator=trial_name,
        trial_dirname_creator=trial_dirname,
        **options,
    )


def points_config(args: argparse.Namespace, points: list[dict[str, Any]]):
    """Tune's settings for a run of exactly these trials (axis values each) of a grid."""
    from ray.tune.search.basic_variant import BasicVariantGenerator

    # each point sets every axis of the grid: one trial per point
    generator = BasicVariantGenerator(
        points_to_evaluate=points, max_concurrent=args.max_concurrent or 0
    )
    return tune_config(
        args, search_alg=generator, num_samples=len(points), max_concurrent_trials=None
    )


def run_tune(
    study: Folder,
    run: str,
    param_space: dict[str, Any],
    args: argparse.Namespace,
    *,
    fields: Sequence[str] = (),
    config=None,
    total: int | None = None,
):
    """One Tune experiment in STUDY/tune/<run>; restored (not re-run) with --resume.

    `fields`: the config fields the console shows per trial (what the study varies); `config`:
    Tune's settings (default `tune_config(args)`); `total`: its trials, for the console."""
    from ray import tune

    from gwin.tune.driver_callback import ResultsCallback
    from gwin.tune.progress_table import StudyProgress
    from gwin.tune.trainable import gwin_trainable

    trainable = tune.with_resources(
        tune.with_parameters(gwin_trainable, runtime=runtime_for(args, study, run)),
        {"cpu": args.cpus_per_trial, "gpu": args.gpus_per_trial},
    )
    path = study.location_of(TUNE_DIR, run)
    restore = args.resume and tune.Tuner.can_restore(path)
    if restore and (damaged := damaged_state_files(run_folder := study.child(TUNE_DIR, run))):
        set_aside(run_folder)
        print(
            f"warning: Tune's state {damaged[0]} is damaged (storage full or failing while it "
            "was written); set it aside and running the grid afresh: finished trials are kept, "
            "unfinished ones start again from iteration 0",
            file=sys.stderr,
        )
        restore = False
    if restore:
        say(f"resuming {path}", file=sys.stderr)
        tuner = tune.Tuner.restore(path, trainable=trainable, resume_errored=True)
    else:
        tuner = tune.Tuner(
            trainable,
            param_space=param_space,
            tune_config=config or tune_config(args),
            run_config=tune.RunConfig(
                name=run,
                stop=storage_stopper(study),
                storage_path=study.location_of(TUNE_DIR),
                failure_config=tune.FailureConfig(max_failures=args.max_failures),
                # Tune saves its whole experiment state (cost linear in the trials) whenever a
                # trial has checkpointed num_to_keep times since the last save: with 1, at every
                # checkpoint, 1,003 saves in the 1,000-trial benchmark (docs/performance.md).
                # With 2 a short trial forces none and a long one half as many, for one more
                # checkpoint on disk per running trial.
                checkpoint_config=tune.CheckpointConfig(num_to_keep=CHECKPOINTS_KEPT),
                callbacks=[
                    ResultsCallback(args.name),
                    StudyProgress(run, fields, total=total),
                    *tracker_callbacks(args, study),
                ],
                verbose=0,  # StudyProgress's table, not Tune's (gwin.tune.progress_table)
            ),
        )
    if args.resume:  # a driver killed between a trial's end and its indexing lost no row
        from gwin.store.index import rebuild_index

        rebuild_index(study)
    try:
        grid = tuner.fit()
    except (OSError, RuntimeError) as err:  # Tune could not write its own state there
        failure = storage_failure(study)
        if failure is None and not isinstance(err, OSError):
            raise
        raise (failure or storage_error(study, err)) from err
    if (failure := storage_failure(study)) is not None:
        raise failure  # the stopper ended the run: say why, in one line
    _record_errors(study, args.name, run, grid)
    return grid


def _record_errors(study: Folder, name: str, run: str, grid) -> None:
    """Errors the callback could not record (it runs in the same process, but be sure)."""
    from gwin.store.trial_outputs import record_error
    from gwin.tune.driver_callback import error_line, failed_trial

    for result in grid:
        if result.error is not None and result.config:
            record_error(study, failed_trial(name, run, result.config, error_line(result.error)))


@study_command
def study_main(
    name: str,
    space: dict[str, list[Any]],
    *,
    description: str,
    defaults: dict[str, Any] | None = None,
    datasets: tuple[str, ...] = ("digits",),
    preset: str = "smoke",
    seeds: int = 3,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    axis_flags: Iterable[AxisFlag] = (),
    argv: list[str] | None = None,
    variants: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Run a grid study: `space` (TrialConfig field -> values) x --datasets x --seeds, and x
    `variants` (name -> TrialConfig overrides) when given.

    `defaults` are the study's TrialConfig settings (over the preset, under the user's flags).
    `axis_flags` are flags that replace an axis of `space`; `add_arguments(parser)` adds other
    study flags. Returns the exit status: 0 all ok, 1 some trials failed, 2 bad input,
    130 interrupted (run again with --resume).
    """
    started = time.time()
    args, plan = parse_study(
        name,
        description,
        space,
        defaults=defaults or {},
        datasets=datasets,
        preset=preset,
        seeds=seeds,
        add_arguments=add_arguments,
        axis_flags=axis_flags,
        argv=argv,
        variants=variants,
        extendable=True,
    )
    preflight(args)
    if args.dry_run:
        print(describe(plan, args, study_paths(args)))
        return EXIT_OK
    args.resume = args.resume or args.extend  # --extend continues the study it grows
    with owned_study(args) as (study, lease):
        configs = plan.configs()
        wanted = sorted(c.trial_key() for c in configs)
        stored = check_same_plan(study, {"trial_ids": wanted}, args)
        finished = finished_ids(study)
        if stored is not None and finished >= set(wanted):
            return nothing_to_do(study, wanted)  # before Ray: nothing would run
        run, runs = next_run(stored, wanted)
        todo = [
            {k: p[k] for k in plan.axes}
            for c, p in zip(configs, plan.params(), strict=True)
            if c.trial_key() not in finished
        ]
        with ray_session(args, lease):
            write_plan(study, {"trial_ids": wanted, "runs": runs}, argv, args.settings)
            fields = [k for k, v in plan.axes.items() if len(v) > 1]
            say(header(args.name, plan, len(todo)))
            # a run of the trials not finished only, when some are (a grown study)
            config = points_config(args, todo) if len(todo) < len(configs) else None
            grid = run_tune(
                study, run, plan.param_space(), args, fields=fields, config=config, total=len(todo)
            )
            left = len(set(wanted) - done_ids(study))
            return summarize(study, [grid], left, started, argv)
