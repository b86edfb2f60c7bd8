"""How much a study prints: -q, the default, or -v (every study's flags, gwin.tune.flags).

- quiet (-q): errors (a failed trial's one line) and the final summary;
- default: the study's header, one line per trial event (started, retrying, done with its
  validation gain, stopped early, diverged, failed with its one-line error; StudyProgress in
  gwin.tune.progress_table) and the final summary;
- verbose (-v): Ray's and Tune's own output as well: Ray's log lines, Tune's experiment box
  and TensorBoard hint, the trials' own output (`(gwin_trainable pid=...)` lines) and, instead
  of the event lines, gwin's table of all trials every 30 s.

Below -v, Ray and Tune are kept quiet with their own switches (Ray 2.60):
`ray.init(log_to_driver=False)` leaves the workers' output in Ray's session logs (unless
--progress asks for it); RAY_AIR_NEW_OUTPUT=0 picks Tune's legacy console, which at verbose=0
prints nothing (the new one prints its "Configuration for experiment" box and the TensorBoard
hint at any verbosity: ray/tune/experimental/output.py); TUNE_PRINT_ALL_TRIAL_ERRORS=0 drops
Tune's traceback per failed try of a trial (gwin prints one line; the trial's error.txt keeps
it all); and the "ray" logger (`ray.init(logging_level=...)`) shows warnings (errors with -q),
less Tune's lines that gwin says in its own words (REPLACED): the traceback again (a resumed
run restores Tune's setting from its first run, env or not), "Trials did not complete" (the
summary counts them) and Tune's resume hint (gwin's names the study command).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

QUIET, DEFAULT, VERBOSE = 0, 1, 2
_level = DEFAULT

# Tune's log lines that gwin says in its own words, by the logger that writes them
REPLACED = {
    "ray.tune.execution.tune_controller": ("Trial task failed",),
    "ray.tune.tune": ("Trials did not complete", "Experiment has been interrupted"),
}
RAY_ENV = {"RAY_AIR_NEW_OUTPUT": "0", "TUNE_PRINT_ALL_TRIAL_ERRORS": "0"}


def add_verbosity_flags(group: argparse._ArgumentGroup) -> None:
    """-q/--quiet and -v/--verbose, one `verbosity` (QUIET, DEFAULT or VERBOSE)."""
    one = group.add_mutually_exclusive_group()
    one.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=QUIET,
        default=DEFAULT,
        help="print only failed trials and the final summary",
    )
    one.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=VERBOSE,
        help="print Ray's and Tune's own output too: their log lines, the trials' output, "
        "and a table of all trials every 30 s (default: one line per trial event)",
    )


def level() -> int:
    """The verbosity of the study this process runs now (DEFAULT outside one)."""
    return _level


def say(text: str, at: int = DEFAULT, *, file=None) -> None:
    """Print `text` when the study's verbosity is at least `at`."""
    if _level >= at:
        print(text, file=file or sys.stdout, flush=True)


def _ray_level(verbosity: int) -> int:
    return logging.WARNING if verbosity == DEFAULT else logging.ERROR


def ray_init_options(verbosity: int, progress: bool = False) -> dict[str, Any]:
    """ray.init's options: below -v, the workers' output stays in Ray's logs unless the user
    asked for the trials' --progress, and the "ray" logger drops INFO lines ("Started a local
    Ray instance")."""
    if verbosity >= VERBOSE:
        return {}
    return {"log_to_driver": progress, "logging_level": _ray_level(verbosity)}


class _Replaced(logging.Filter):
    def __init__(self, starts: tuple[str, ...]):
        super().__init__()
        self.starts = starts

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.starts)


class _AlreadyDeleted(logging.Filter):
    """Tune's traceback for an old checkpoint that is already gone when it deletes it: with
    2 checkpoints kept (gwin.tune.runner.CHECKPOINTS_KEPT), Tune's state saved before a driver
    was killed may still list one it had deleted since, and deleting it again after the resume
    fails. The trial goes on from its newest checkpoint, which is there; nothing is lost."""

    def filter(self, record: logging.LogRecord) -> bool:
        gone = record.exc_info is not None and isinstance(record.exc_info[1], FileNotFoundError)
        return not (gone and str(record.msg).startswith(CHECKPOINT_ERROR))


CHECKPOINT_ERROR = "Trial %s: Error handling checkpoint"


@contextmanager
def study_output(verbosity: int) -> Iterator[None]:
    """Within the block, this process's study output (`level`, `say`) and Ray's and Tune's are
    at `verbosity`; all as before afterwards (a notebook or a test runs several studies)."""
    global _level
    saved_level, _level = _level, verbosity
    if verbosity >= VERBOSE:
        try:
            yield
        finally:
            _level = saved_level
        return
    saved_env = {name: os.environ.get(name) for name in RAY_ENV}
    os.environ.update(RAY_ENV)
    ray_logger = logging.getLogger("ray")
    saved_ray_level = ray_logger.level
    ray_logger.setLevel(_ray_level(verbosity))  # ray.init sets it again, to the same
    filters: list[tuple[logging.Logger, logging.Filter]] = [
        (logging.getLogger(name), _Replaced(starts)) for name, starts in REPLACED.items()
    ]
    filters.append((logging.getLogger("ray.tune.execution.tune_controller"), _AlreadyDeleted()))
    for logger, replaced in filters:
        logger.addFilter(replaced)
    try:
        yield
    finally:
        _level = saved_level
        for logger, replaced in filters:
            logger.removeFilter(replaced)
        ray_logger.setLevel(saved_ray_level)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


__all__ = [
    "DEFAULT",
    "QUIET",
    "VERBOSE",
    "add_verbosity_flags",
    "level",
    "ray_init_options",
    "say",
    "study_output",
]
