"""The Ray Tune function trainable: one GWIN trial with progress reports and checkpoints.

Tune's `config` holds the trial's identity (preset plus TrialConfig overrides, JSON-safe), so it
is stored in the experiment state and a resumed study rebuilds exactly the same trials.
Where the trial runs (device, data and cache folders, threads) comes from `TrialRuntime`, passed
with `tune.with_parameters`, so a resume may run on another machine.

Inside a Tune trainable only `ray.tune.report`, `ray.tune.get_checkpoint` and
`ray.tune.Checkpoint` work in this Ray version (the `ray.train.*` names fail), so those are used.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwin.config import config_from
from gwin.errors import TrialDiverged
from gwin.faults import NO_FAULTS, Faults
from gwin.metrics.names import VAL_GAIN, VAL_GWIN_ACC_REJECTED, VAL_OVERALL_ACC_DELTA
from gwin.store.location import Folder
from gwin.store.trial_outputs import (
    is_complete,
    read_trial,
    record_error,
    trial_folder,
    write_trial,
)
from gwin.store.trials_table import error_row
from gwin.tune.trackers import PICTURE_KEY

STATE_FILE = "gwin_state.pt"
TIMESTEPS_TOTAL = "timesteps_total"  # ray.tune.result.TIMESTEPS_TOTAL, without importing Ray
# The first four non-Tune keys of a report become the columns of Tune's progress table.
PROGRESS_COLUMNS = ("gen_iter", "critic_loss", VAL_OVERALL_ACC_DELTA, VAL_GWIN_ACC_REJECTED)


@dataclass(frozen=True)
class TrialRuntime:
    """Where and how the trials of one Tune run execute (never part of a trial's identity)."""

    study_name: str  # recorded in every trials row
    run: str  # the Tune experiment inside the study ("grid", "search-digits", ...)
    location: str  # the study folder: an absolute local path or a URI
    cache_dir: str | None  # artifact cache, a path or URI every node shares; None: node default
    data_dir: str | None
    device: str  # "auto": CUDA when the trial holds a GPU, else CPU
    progress: bool
    cpus_per_trial: float
    faults: Faults = NO_FAULTS  # none unless a fault test asks (gwin.faults)
    # every this many validation reports, a picture of G(x, z) for the tracker (0: none)
    picture_every: int = 0


def _progress(metrics: dict[str, float], last_val: dict[str, float]) -> dict[str, Any]:
    """A Tune report: table columns first; the latest validation metrics carried forward so the
    columns stay filled on checkpoint-only reports (and ASHA sees the latest validated value)."""
    last_val.update({k: v for k, v in metrics.items() if k.startswith("val_")})
    row: dict[str, Any] = {
        "gen_iter": int(metrics["iteration"]),
        "critic_loss": metrics.get("critic_loss"),
    }
    row.update({k: last_val[k] for k in PROGRESS_COLUMNS[2:] if k in last_val})
    row.update({k: v for k, v in last_val.items() if k not in row})
    row.update({k: v for k, v in metrics.items() if k not in row and k != "iteration"})
    # the step trackers (TensorBoard, MLflow) plot against: the generator's iteration
    row[TIMESTEPS_TOTAL] = int(metrics["iteration"])
    return row


def _final_metrics(result, iterations: int) -> dict[str, Any]:
    from gwin.method.rejection import REPORT_TAU
    from gwin.metrics.sweep import tau_sweep

    r, p = result.record, result.predictions
    val = tau_sweep(p[(p["split"] == "val") & (p["corruption"] == "none")], [REPORT_TAU]).iloc[0]
    return {
        "gen_iter": iterations,
        TIMESTEPS_TOTAL: iterations,
        "critic_loss": r.get("final_critic_loss"),
        # full validation split here; the periodic reports use its first eval_size inputs
        VAL_OVERALL_ACC_DELTA: r[VAL_OVERALL_ACC_DELTA],
        VAL_GWIN_ACC_REJECTED: float(val["gwin_acc_rejected"]),
        "val_bnn_acc": r["val_bnn_acc"],
        VAL_GAIN: r[VAL_GAIN],
        "test_gain_over_identity": r["test_gain_over_identity"],
        "test_overall_acc_delta": r["test_overall_acc_delta"],
        "test_rejected_acc_delta": r["test_rejected_acc_delta"],
        "test_mcnemar_p": r["test_mcnemar_p"],
        "n_confident": r["n_confident"],
        "resumed_from_iteration": r["resumed_from_iteration"],
        "trial_key": r["trial_id"],
    }


def _load_state(checkpoint) -> dict[str, Any] | None:
    """The trainer state in a Tune checkpoint; None (start over, after one line on stderr) if
    the file is damaged: a deterministic trial re-run from iteration 0 gives the same result,
    a damaged state used silently would not."""
    if checkpoint is None:
        return None
    from gwin.cache import load_checked

    with checkpoint.as_directory() as folder:
        checksum = Path(folder, STATE_FILE + ".sha256")
        expected = checksum.read_text().strip() if checksum.exists() else None
        if Path(folder, STATE_FILE).exists():
            state, problem = load_checked(Path(folder, STATE_FILE), expected)
        else:  # emptied by gwin.tune.driver_callback.drop_checkpoints, or lost
            state, problem = None, f"it holds no {STATE_FILE}"
    if problem:
        print(f"[gwin] checkpoint {checkpoint.path} is damaged: {problem}; training from the "
              "start", file=sys.stderr)  # fmt: skip
    return state


def gwin_trainable(config: dict[str, Any], runtime: TrialRuntime) -> None:
    """Run one trial under Tune; resumes from `tune.get_checkpoint()` after a failure."""
    started_at = time.time()
    import ray
    import torch
    from ray import tune

    from gwin.cache import sha256_of
    from gwin.device import keep_to_cpus, resolve_device
    from gwin.trial import run_trial

    threads = keep_to_cpus(runtime.cpus_per_trial)
    # one INFO line per checkpoint otherwise; Tune's table already shows progress
    logging.getLogger("ray.train._internal.storage").setLevel(logging.WARNING)
    device = str(resolve_device(runtime.device, gpu_held=bool(ray.get_gpu_ids())))
    cfg = config_from(
        config,
        device=device,
        data_dir=runtime.data_dir,
        cache_dir=runtime.cache_dir,
        progress=runtime.progress,
    )
    trial_id = cfg.trial_key()
    study = Folder.at(runtime.location)
    folder = trial_folder(study, trial_id)
    done = read_trial(folder)
    if done is not None:
        tune.report(_final_metrics(done, cfg.iterations))
        return
    last_val: dict[str, float] = {}
    picture: dict[str, Any] = {}  # the next report carries it (gwin.tune.trackers)

    def on_progress(metrics: dict[str, float], state: dict[str, Any] | None) -> None:
        row = {**_progress(metrics, last_val), **picture}
        picture.clear()
        if state is None:
            tune.report(row)
            return
        with tempfile.TemporaryDirectory(prefix="gwin-ckpt-") as ckpt_dir:
            torch.save(state, os.path.join(ckpt_dir, STATE_FILE))
            digest = sha256_of(Path(ckpt_dir, STATE_FILE))
            Path(ckpt_dir, STATE_FILE + ".sha256").write_text(digest)
            # report() persists the folder to the study's storage before it returns
            tune.report(row, checkpoint=tune.Checkpoint.from_directory(ckpt_dir))
        runtime.faults.after_checkpoint(study, trial_id, int(metrics["iteration"]))

    def where_ran() -> dict[str, Any]:
        return {
            "run": runtime.run,
            "node_id": ray.get_runtime_context().get_node_id(),
            "tune_trial_id": tune.get_context().get_trial_id(),
            **threads,
            "started_at": started_at,
            "finished_at": time.time(),
        }

    def on_snapshot(snapshot) -> None:
        # a retry from a checkpoint before k computes the same snapshot again: keep the first
        target = trial_folder(study, snapshot.record["trial_id"])
        if not is_complete(target):
            snapshot.record.update(where_ran())
            write_trial(target, snapshot)

    try:
        result = run_trial(
            cfg,
            trial_id=trial_id,
            study_name=runtime.study_name,
            resume_state=_load_state(tune.get_checkpoint()),
            on_progress=on_progress,
            on_snapshot=on_snapshot,
            faults=runtime.faults,
            on_picture=(lambda _, grid: picture.update({PICTURE_KEY: grid}))
            if runtime.picture_every
            else None,
            picture_every=max(runtime.picture_every, 1),
        )
    except TrialDiverged as err:
        # a result, not a crash: recorded as the trial's error row, and not retried (a retry
        # from the last checkpoint would diverge again)
        message = f"{type(err).__name__}: {err}"
        record_error(study, error_row(runtime.study_name, runtime.run, cfg, message))
        tune.report({"gen_iter": 0, "diverged": 1})
        return
    result.record.update(where_ran())
    write_trial(folder, result)
    tune.report(_final_metrics(result, cfg.iterations))
