"""A driver-side Tune callback: record failed trials and index results as trials finish.

Imported only after the runner has prepared the environment (importing `ray` reads
RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER). The callback keeps no paths: it finds the study folder from
the trial's own storage (STUDY/tune/<run>), so a study restored from a moved folder still
writes to the right place (Tune restores callbacks from the original run's RunConfig).
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from typing import Any

from ray import tune

from gwin.config import config_from
from gwin.store.index import index_trials
from gwin.store.location import Folder, list_dirs, write_bytes
from gwin.store.trial_outputs import is_complete, record_error, trial_folder
from gwin.store.trials_table import error_row

logger = logging.getLogger(__name__)


def failed_trial(study_name: str, run: str, params: dict[str, Any], message: str) -> dict:
    """The trials row of a failed Tune trial (gwin.store.trials_table.error_row)."""
    return error_row(study_name, run, config_from(params), message)


def error_line(err: BaseException | str | None) -> str:
    """One line for the `error` column: the original exception's type and first line."""
    if err is None:
        return "unknown error (see the trial's error.txt under STUDY/tune)"
    if isinstance(err, str):
        lines = [s.strip() for s in err.splitlines() if s.strip()]
        hits = [s for s in lines if "Error:" in s or "Exception:" in s]
        return (hits or lines or ["unknown error"])[-1]
    cause = getattr(err, "cause", None)
    cause = cause if isinstance(cause, BaseException) else err
    text = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {text}"


def _trial_error(trial) -> BaseException | str | None:
    import cloudpickle

    try:  # the driver's local copy is written before this callback runs
        if trial.pickled_error_file:
            with open(trial.pickled_error_file, "rb") as f:
                return cloudpickle.load(f)
    except OSError:
        pass
    try:
        return trial.get_pickled_error() or trial.get_error()
    except Exception:  # noqa: BLE001 - best effort, the message is informational
        return None


def trial_error_line(trial) -> str:
    """The one line of a failed Tune trial's error (for its row and the console)."""
    return error_line(_trial_error(trial))


def study_of(trial) -> tuple[Folder, str]:
    """(the study folder, the run name) from the trial's storage: STUDY/tune/<run>."""
    storage = trial.storage
    run = PurePosixPath(storage.experiment_fs_path)
    return Folder.from_fs(storage.storage_filesystem, str(run.parent.parent)), run.name


DROPPED_NOTE = "checkpoint_dropped.txt"


def drop_checkpoints(trial, study: Folder) -> None:
    """Empty a finished trial's Tune checkpoints: its tables (and model) are what last, and a
    `paper` checkpoint (G, D and both Adam states) is tens of MB.

    Each checkpoint folder stays, holding only a note: Tune's experiment state is saved every
    10 s or so, so after a driver is killed it may still list this trial as running from that
    checkpoint. Tune refuses to restore from a folder that is gone (and failed the trial three
    times in the 1,000-trial benchmark); from one that is there, the trial starts, finds its
    outputs and reports them without training (gwin.tune.trainable)."""
    trial_id = config_from(trial.config).trial_key()
    if not is_complete(trial_folder(study, trial_id)):
        return
    storage = trial.storage
    fs, folder = storage.storage_filesystem, storage.trial_fs_path
    note = f"gwin emptied this checkpoint: trial {trial_id} finished (trial_outputs/{trial_id})\n"
    for name in list_dirs(fs, folder):
        if name.startswith("checkpoint_"):
            fs.delete_dir_contents(f"{folder}/{name}")
            write_bytes(fs, f"{folder}/{name}/{DROPPED_NOTE}", note.encode())


class ResultsCallback(tune.Callback):
    """Keeps STUDY/results/trials.parquet current during the study: after each trial, its rows
    (its own and its snapshots') are indexed; nothing else is read or rewritten."""

    def __init__(self, study_name: str):
        self.study_name = study_name

    def _index(self, study: Folder, trial) -> None:
        try:
            index_trials(study, config_from(trial.config).result_keys())
        except Exception as err:  # noqa: BLE001 - never let bookkeeping kill the study
            logger.warning("could not index results in %s: %s", study.location, err)

    def on_trial_complete(self, iteration: int, trials: list, trial, **info) -> None:
        study = study_of(trial)[0]
        self._index(study, trial)
        try:
            drop_checkpoints(trial, study)
        except Exception as err:  # noqa: BLE001
            logger.warning("could not delete the checkpoints of %s: %s", trial, err)

    def on_trial_error(self, iteration: int, trials: list, trial, **info) -> None:
        study, run = study_of(trial)
        try:
            message = trial_error_line(trial)
            record_error(study, failed_trial(self.study_name, run, trial.config, message))
        except Exception as err:  # noqa: BLE001
            logger.warning("could not record the failure of %s: %s", trial, err)
        self._index(study, trial)
