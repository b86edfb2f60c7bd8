"""The Ray Tune function trainable: one GWIN trial with progress reports and checkpoints.

Tune's `config` holds the trial's identity (preset plus TrialConfig overrides, JSON-safe), so it
is stored in the experiment state and a resumed study rebuilds exactly the same trials.
Where the trial runs (device, data and cache folders, threads) comes from `Settings`, passed
with `tune.with_parameters`, so a resume may run on another machine.

Inside a Tune trainable only `ray.tune.report`, `ray.tune.get_checkpoint` and
`ray.tune.Checkpoint` work in this Ray version (the `ray.train.*` names fail), so those are used.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pyarrow as pa

from gwin.atomic import write_table
from gwin.config import TrialConfig
from gwin.tune.consolidate import clear_error, read_parquet
from gwin.tune.paths import OUTPUTS_DIR, StudyPaths, exists, write_json

STATE_FILE = "gwin_state.pt"
# The first four non-Tune keys of a report become the columns of Tune's progress table.
PROGRESS_COLUMNS = ("gen_iter", "critic_loss", "val_overall_acc_delta", "val_gwin_acc_rejected")
FAULT_DIR = ".fault-injected"


@dataclass(frozen=True)
class Settings:
    """Runtime settings shared by all trials of a run (not part of any trial's identity)."""

    study: str  # study name, recorded in every trials row
    run: str  # the Tune experiment inside the study ("grid", "search-digits", ...)
    location: str  # the study folder: an absolute local path or a URI
    cache_dir: str | None  # classifier cache; None: each node's default cache
    data_dir: str | None
    device: str  # "auto": CUDA when the trial holds a GPU, else CPU
    progress: bool
    cpus_per_trial: float
    # TEST-ONLY fault injection: raise once, right after the checkpoint at this generator
    # iteration (a marker file in the study folder makes it happen only once per trial).
    fail_once_at_iteration: int | None = None


def build_config(params: dict[str, Any], **runtime: Any) -> TrialConfig:
    """One Tune trial's TrialConfig: `params` (preset + identity fields, and optionally a
    `variant` name with the study's `variants` table of overrides) plus runtime fields."""
    values = dict(params)
    preset = values.pop("preset")
    variants, variant = values.pop("variants", {}), values.pop("variant", None)
    if variant is not None:
        values.update(variants[variant])
    for key in ("taus", "corruptions"):
        if isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    return TrialConfig.from_preset(preset, **values, **runtime)


def trial_id_of(params: dict[str, Any]) -> str:
    return build_config(params).trial_key()


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
    return row


def _final_metrics(result, iterations: int) -> dict[str, Any]:
    from gwin.metrics.sweep import tau_sweep
    from gwin.trial import REPORT_TAU

    r, p = result.record, result.predictions
    val = tau_sweep(p[(p["split"] == "val") & (p["corruption"] == "none")], [REPORT_TAU]).iloc[0]
    return {
        "gen_iter": iterations,
        "critic_loss": r.get("final_critic_loss"),
        # full validation split here; the periodic reports use its first eval_size inputs
        "val_overall_acc_delta": r["val_overall_acc_delta"],
        "val_gwin_acc_rejected": float(val["gwin_acc_rejected"]),
        "val_bnn_acc": r["val_bnn_acc"],
        "val_gain_over_identity": r["val_gain_over_identity"],
        "test_gain_over_identity": r["test_gain_over_identity"],
        "test_overall_acc_delta": r["test_overall_acc_delta"],
        "test_rejected_acc_delta": r["test_rejected_acc_delta"],
        "test_mcnemar_p": r["test_mcnemar_p"],
        "n_confident": r["n_confident"],
        "resumed_from_iteration": r["resumed_from_iteration"],
        "trial_key": r["trial_id"],
    }


def _load_state(checkpoint) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    import torch

    with checkpoint.as_directory() as folder:
        return torch.load(os.path.join(folder, STATE_FILE), map_location="cpu", weights_only=True)


def _maybe_fail(settings: Settings, study: StudyPaths, trial_id: str, iteration: int) -> None:
    if settings.fail_once_at_iteration != iteration:
        return
    marker = study.path(FAULT_DIR, trial_id)
    if not exists(study.fs, marker):
        write_json(study.fs, marker, {"iteration": iteration})
        raise RuntimeError(f"test-only injected failure after the checkpoint at {iteration}")


def write_outputs(study: StudyPaths, trial_id: str, result) -> None:
    """The trial's three tables; trials.parquet last, as the completion marker."""
    folder = (OUTPUTS_DIR, trial_id)
    fs = study.fs
    write_table(
        fs,
        study.path(*folder, "examples.parquet"),
        pa.Table.from_pandas(result.examples, preserve_index=False),
    )
    write_table(
        fs,
        study.path(*folder, "predictions.parquet"),
        pa.Table.from_pandas(result.predictions, preserve_index=False),
    )
    write_table(fs, study.path(*folder, "trials.parquet"), pa.Table.from_pylist([result.record]))
    clear_error(study, trial_id)


def finished_outputs(study: StudyPaths, trial_id: str) -> SimpleNamespace | None:
    """The stored result of a trial whose outputs are complete, else None.

    The driver can be stopped after a trial wrote its trials.parquet but before Tune recorded the
    trial as finished; on resume Tune starts it again, and this lets it report instead of re-run.
    """
    folder = (OUTPUTS_DIR, trial_id)
    if not exists(study.fs, study.path(*folder, "trials.parquet")):
        return None
    return SimpleNamespace(
        record=read_parquet(study, *folder, "trials.parquet").to_pylist()[0],
        predictions=read_parquet(study, *folder, "predictions.parquet").to_pandas(),
    )


def gwin_trainable(config: dict[str, Any], settings: Settings) -> None:
    """Run one trial under Tune; resumes from `tune.get_checkpoint()` after a failure."""
    started_at = time.time()
    import ray
    import torch
    from ray import tune

    from gwin.trial import run_trial

    torch.set_num_threads(max(1, int(settings.cpus_per_trial)))
    # one INFO line per checkpoint otherwise; Tune's table already shows progress
    logging.getLogger("ray.train._internal.storage").setLevel(logging.WARNING)
    device = settings.device
    if device == "auto":
        device = "cuda" if ray.get_gpu_ids() else "cpu"  # only a GPU this trial holds
    cfg = build_config(
        config,
        device=device,
        data_dir=settings.data_dir,
        cache_dir=settings.cache_dir,
        progress=settings.progress,
    )
    trial_id = cfg.trial_key()
    study = StudyPaths.at(settings.location)
    done = finished_outputs(study, trial_id)
    if done is not None:
        tune.report(_final_metrics(done, cfg.iterations))
        return
    last_val: dict[str, float] = {}

    def report(metrics: dict[str, float], state: dict[str, Any] | None) -> None:
        row = _progress(metrics, last_val)
        if state is None:
            tune.report(row)
            return
        with tempfile.TemporaryDirectory(prefix="gwin-ckpt-") as folder:
            torch.save(state, os.path.join(folder, STATE_FILE))
            # report() persists the folder to the study's storage before it returns
            tune.report(row, checkpoint=tune.Checkpoint.from_directory(folder))
        _maybe_fail(settings, study, trial_id, int(metrics["iteration"]))

    result = run_trial(
        cfg,
        trial_id=trial_id,
        study=settings.study,
        resume_state=_load_state(tune.get_checkpoint()),
        report=report,
    )
    result.record.update(
        run=settings.run,
        node_id=ray.get_runtime_context().get_node_id(),
        tune_trial_id=tune.get_context().get_trial_id(),
        started_at=started_at,
        finished_at=time.time(),
    )
    write_outputs(study, trial_id, result)
    tune.report(_final_metrics(result, cfg.iterations))
