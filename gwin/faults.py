"""Test-only fault injection, in one module: the hidden study flags and what they do.

The fault tests need a trial that fails once right after a checkpoint (raised, or SIGKILLed as
the OOM killer would) and a generator that diverges. Production code reaches them through one
seam, a `Faults` value: the study's hidden flags build it, `TrialRuntime` carries it to the
trainable, and the trainable and `run_trial` call its two hooks, `after_checkpoint` and
`callbacks`, which do nothing unless a fault was asked for (the default `Faults()`).
"""

from __future__ import annotations

import argparse
import os
import signal
from dataclasses import dataclass
from typing import Any

from gwin.store.location import Folder, exists, write_json

# One marker per trial in the study folder, so a fault fires once per trial across retries.
MARKER_DIR = ".fault-injected"


@dataclass(frozen=True)
class Faults:
    """The faults a test asks one study for; `Faults()` (NO_FAULTS) asks for none."""

    # raise once (or, with "kill", SIGKILL the worker) right after the checkpoint at this
    # generator iteration
    fail_once_at_iteration: int | None = None
    fail_once_how: str = "raise"
    # "[FIELD=VALUE@]K": G's weights become NaN after iteration K, in the trials whose FIELD
    # is VALUE (in every trial without the condition)
    poison_generator: str | None = None

    @staticmethod
    def add_flags(group: argparse._ArgumentGroup) -> None:
        """The hidden flags of every study (not in --help: they exist for the tests)."""
        group.add_argument("--fail-once-at-iteration", type=int, default=None,
                           help=argparse.SUPPRESS)  # fmt: skip
        group.add_argument("--fail-once-how", choices=("raise", "kill"), default="raise",
                           help=argparse.SUPPRESS)  # fmt: skip
        group.add_argument("--poison-generator", default=None, help=argparse.SUPPRESS)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Faults:
        return cls(args.fail_once_at_iteration, args.fail_once_how, args.poison_generator)

    def callbacks(self, cfg: Any) -> list[Any]:
        """Training callbacks for the trial `cfg`: the generator's poisoning, if it is asked for."""
        if self.poison_generator is None:
            return []
        condition, _, iteration = self.poison_generator.rpartition("@")
        field, _, value = condition.partition("=")
        if condition and str(getattr(cfg, field)) != value:
            return []
        return [PoisonGenerator(int(iteration))]

    def after_checkpoint(self, study: Folder, trial_id: str, iteration: int) -> None:
        """Fail, the first time this trial reaches its checkpoint at the configured iteration."""
        if self.fail_once_at_iteration != iteration:
            return
        marker = study.path(MARKER_DIR, trial_id)
        if exists(study.fs, marker):
            return
        write_json(study.fs, marker, {"iteration": iteration, "how": self.fail_once_how})
        if self.fail_once_how == "kill":  # as the OOM killer or a pre-empted node would
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError(f"test-only injected failure after the checkpoint at {iteration}")


# The default of every seam: no fault.
NO_FAULTS = Faults()


class PoisonGenerator:
    """A training callback (gwin.method.train_gwin.Callback's hooks) that fills G's weights with NaN
    after iteration `at`, as a run that diverged would leave them."""

    def __init__(self, at: int):
        self.at = at

    def on_train_start(self, trainer: Any) -> None:
        pass

    def on_iteration_end(self, trainer: Any, losses: Any) -> None:
        if trainer.iteration == self.at:
            for p in trainer.generator.parameters():
                p.detach().fill_(float("nan"))

    def on_train_end(self, trainer: Any) -> None:
        pass
