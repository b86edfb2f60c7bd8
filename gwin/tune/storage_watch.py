"""A study's storage failing mid-run (full, read-only, unmounted): noticed on the driver and
turned into one line, instead of trials failing and being retried against it."""

from __future__ import annotations

import os
import signal
import time

from gwin.errors import GwinError
from gwin.store.location import Folder, first_line, writable

WHAT_NEXT = "free or fix the storage, then --resume"


def storage_failure(study: Folder) -> GwinError | None:
    """A one-line error if the study's storage cannot be written any more, else None."""
    problem = writable(study)
    if problem is None:
        return None
    problem = problem.removesuffix("; pass a writable --storage folder or URI")
    return GwinError(f"the study stopped: {problem}; {WHAT_NEXT}")


def storage_error(study: Folder, err: BaseException) -> GwinError:
    """The same line for a write that failed outright (a probe can pass again once Tune has
    deleted an old checkpoint, while a bigger write still finds the storage full)."""
    return GwinError(
        f"the study stopped: cannot write to {study.location}: {first_line(err)}; {WHAT_NEXT}"
    )


def storage_stopper(study: Folder, every_s: float = 5.0):
    """A Tune stopper that interrupts the whole run once the study's storage stops taking writes
    (full, read-only, unmounted): trials would only fail and be retried against it. Probes at
    most every `every_s` seconds, on the driver. It interrupts as Ctrl+C does (Tune's own
    SIGINT handling), not by stopping the trials: stopped trials count as finished and a
    --resume would skip them. (Built here: importing Ray must wait for the runner's env.)"""
    from ray.tune.stopper import Stopper

    class StorageStopper(Stopper):
        def __init__(self):
            self.checked, self.failed = 0.0, False

        def __call__(self, trial_id: str, result: dict) -> bool:
            self.stop_all()
            return False

        def stop_all(self) -> bool:
            if not self.failed and time.monotonic() - self.checked >= every_s:
                self.checked = time.monotonic()
                if writable(study) is not None:
                    self.failed = True
                    os.kill(os.getpid(), signal.SIGINT)
            return False

    return StorageStopper()
