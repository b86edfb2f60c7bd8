"""One GWIN trial: data -> classifier C (cached) -> P_c (cached) -> WGWIN-GP -> predictions.

Each stage seeds the global RNG from (seed, stage name), so a stage's result does not depend on
whether an earlier stage was computed or loaded from the cache, and the whole trial is a
function of its config.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import torch

from gwin.cache import ArtifactCache
from gwin.cached_stages import load_classifier, load_confident_indices
from gwin.config import TrialConfig
from gwin.data.datasets import DatasetSplits, Split, load_dataset
from gwin.device import resolve_device
from gwin.faults import NO_FAULTS, Faults
from gwin.method.confident import confident_subset
from gwin.method.rejection import REPORT_TAU
from gwin.method.train_callbacks import (
    DivergenceCheck,
    Metrics,
    PeriodicProgress,
    ProgressBar,
    Snapshot,
)
from gwin.method.train_gwin import Callback, WGWINTrainer
from gwin.method.trial_eval import evaluate_sets, stage_seed, validation_report
from gwin.metrics.names import VAL_GAIN
from gwin.metrics.sweep import tau_sweep
from gwin.model import MODEL_DIR, model_files
from gwin.models.classifiers import MCClassifier
from gwin.models.gwin_nets import Critic, build_generator
from gwin.progress import note
from gwin.store.trials_table import trials_row
from gwin.tracking import Pictures

OnProgress = Callable[[Metrics, dict[str, Any] | None], None]


@dataclass
class TrialResult:
    record: dict[str, Any]
    predictions: pd.DataFrame
    examples: pd.DataFrame
    history: list[Metrics] = field(default_factory=list)
    model: dict[str, bytes] = field(default_factory=dict)  # the files of model/ (gwin.model)

    def sweep(self, split: str = "test", corruption: str = "none") -> pd.DataFrame:
        p = self.predictions
        taus = json.loads(self.record["taus"])
        return tau_sweep(p[(p["split"] == split) & (p["corruption"] == corruption)], taus)


class _Timer:
    """Wall seconds per stage, as the `seconds_<stage>` columns of the trials row, counted from
    the trial's start (`seconds_total`)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.running: dict[str, float] = {}  # when each stage started

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = self.running[name] = time.perf_counter()
        yield
        self.seconds[f"seconds_{name}"] = time.perf_counter() - start

    def columns(self) -> dict[str, float]:
        """The seconds columns now: a stage still running (the gwin stage of a snapshot) has
        its seconds so far."""
        now = time.perf_counter()
        so_far = {f"seconds_{name}": now - start for name, start in self.running.items()}
        return {**so_far, **self.seconds, "seconds_total": now - self.started}


@dataclass
class _Run:
    """What the stages of one trial share; `facts` gathers the trials row's cells that the
    stages learn on the way (cache hits, |P_c|, the iteration resumed from, the threads)."""

    cfg: TrialConfig
    trial_id: str
    study_name: str
    device: torch.device
    cache: ArtifactCache
    timer: _Timer = field(default_factory=_Timer)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Hooks:
    """What the caller of `run_trial` hears of a run (see its docstring)."""

    on_progress: OnProgress | None
    on_snapshot: Callable[[TrialResult], None] | None
    faults: Faults
    on_picture: Callable[[int, np.ndarray], None] | None
    picture_every: int


def run_trial(
    cfg: TrialConfig,
    *,
    trial_id: str | None = None,
    study_name: str = "",
    resume_state: dict[str, Any] | None = None,
    on_progress: OnProgress | None = None,
    on_snapshot: Callable[[TrialResult], None] | None = None,
    faults: Faults = NO_FAULTS,
    on_picture: Callable[[int, np.ndarray], None] | None = None,
    picture_every: int = 1,
) -> TrialResult:
    """Run the whole pipeline; `on_progress(metrics, state)` receives progress and checkpoints,
    `on_snapshot(result)` the trial each of `cfg.snapshots` stands for, when it is reached, and
    `on_picture(iteration, picture)`, before the first validation report and every
    `picture_every`-th after it, gwin.tracking's G(x, z) for rejected validation inputs;
    `faults` are a fault test's (gwin.faults), none by default."""
    hooks = _Hooks(on_progress, on_snapshot, faults, on_picture, picture_every)
    trial_id = trial_id or cfg.trial_key()
    run = _Run(cfg, trial_id, study_name, resolve_device(cfg.device), ArtifactCache(cfg.cache_dir))
    data = _data(run)
    classifier = _classifier(run, data)
    confident = _confident_set(run, data, classifier)
    with run.timer.stage("gwin"):
        trainer, history = _gwin_trainer(run, data, classifier, confident, resume_state)
        periodic = _periodic_reports(run, data, classifier, trainer, history, hooks)
        trainer.fit(_callbacks(run, data, trainer, periodic, hooks))
    return _result(run, cfg, trial_id, data, trainer, periodic.history)


def _data(run: _Run) -> DatasetSplits:
    """Stage 1: the fixed splits, on the trial's device."""
    cfg = run.cfg
    with run.timer.stage("data"):
        data = load_dataset(cfg.dataset, cfg.data_dir, limit_train=cfg.limit_train)
        train, val, test = (s.to(run.device) for s in (data.train, data.val, data.test))
        val = Split(val.x[: cfg.val_limit], val.y[: cfg.val_limit])
    sizes = f"{len(train)} train / {len(val)} val / {len(test)} test"
    note(cfg.progress, f"{cfg.dataset}: {sizes} on {run.device}")
    run.facts.update(n_train=len(train), device=str(run.device))
    return replace(data, train=train, val=val, test=test)


def _classifier(run: _Run, data: DatasetSplits) -> MCClassifier:
    """Stage 2: C, trained or loaded from the artifact cache."""
    with run.timer.stage("classifier"):
        classifier, hit = load_classifier(run.cfg, data.train, data.num_classes, run.cache)
    run.facts["classifier_cache_hit"] = hit
    return classifier


def _confident_set(run: _Run, data: DatasetSplits, classifier: MCClassifier) -> Split:
    """Stage 3: P_c, built or loaded from the artifact cache."""
    with run.timer.stage("confident"):
        indices, hit = load_confident_indices(run.cfg, classifier, data.train, run.cache)
        confident = confident_subset(data.train, indices)
    clf = "hit" if run.facts["classifier_cache_hit"] else "miss"
    note(run.cfg.progress, f"classifier cache {clf}; |P_c| = {len(confident)}")
    run.facts.update(n_confident=len(confident), confident_cache_hit=hit)
    return confident


def _gwin_trainer(
    run: _Run,
    data: DatasetSplits,
    classifier: MCClassifier,
    confident: Split,
    resume_state: dict[str, Any] | None,
) -> tuple[WGWINTrainer, list[Metrics]]:
    """Stage 4, its start: G, the critic and their trainer (Algorithm 1), at iteration 0 or at
    `resume_state`'s, with the validation history the checkpoint kept."""
    cfg = run.cfg
    torch.manual_seed(stage_seed(cfg.seed, "gwin"))
    generator = build_generator(cfg.generator, cfg.dim, cfg.z_dim).to(run.device)
    critic = Critic(cfg.dim, data.num_classes).to(run.device)
    trainer = WGWINTrainer(generator, critic, classifier, confident, data.train, cfg)
    history: list[Metrics] = []
    if resume_state is not None:
        trainer.load_state_dict(resume_state)
        # a checkpoint written before histories were kept in it has none
        history = list(resume_state.get("history", []))
        note(cfg.progress, f"resuming WGWIN-GP from iteration {trainer.iteration}")
    run.facts["resumed_from_iteration"] = trainer.iteration if resume_state is not None else 0
    return trainer, history


def _periodic_reports(
    run: _Run,
    data: DatasetSplits,
    classifier: MCClassifier,
    trainer: WGWINTrainer,
    history: list[Metrics],
    hooks: _Hooks,
) -> PeriodicProgress:
    """Stage 4's reports: validation at REPORT_TAU every `eval_every` iterations (and at each
    snapshot), checkpoints every `checkpoint_every`, the trackers' pictures and the log line."""
    cfg = run.cfg
    val_x, val_y = data.val.x[: cfg.eval_size], data.val.y[: cfg.eval_size]

    pictures = Pictures(
        classifier,
        val_x,
        tau=REPORT_TAU,
        samples=cfg.mc_samples,
        z_dim=cfg.z_dim,
        seed=stage_seed(cfg.seed, "pictures"),
        every=hooks.picture_every,
    )

    def progress(metrics: Metrics, state: dict[str, Any] | None) -> None:
        validated = VAL_GAIN in metrics  # not a checkpoint-only report
        if hooks.on_picture is not None and validated:
            if (grid := pictures.next(trainer.generator)) is not None:
                hooks.on_picture(int(metrics["iteration"]), grid)
        if not sys.stderr.isatty():
            shown = ", ".join(f"{k}={v:.4g}" for k, v in metrics.items() if k != "iteration")
            it = int(metrics["iteration"])
            note(cfg.progress, f"iteration {it}/{cfg.iterations}: {shown}")
        if hooks.on_progress is not None:
            hooks.on_progress(metrics, state)

    def validate(t: WGWINTrainer) -> Metrics:
        return validation_report(cfg, classifier, t.generator, val_x, val_y)

    periodic = PeriodicProgress(
        validate, progress, cfg.eval_every, cfg.checkpoint_every, also_at=set(cfg.snapshots)
    )
    periodic.history = history
    return periodic


def _callbacks(
    run: _Run, data: DatasetSplits, trainer: WGWINTrainer, periodic: PeriodicProgress, hooks: _Hooks
) -> list[Callback]:
    """Stage 4's callbacks, in order: a fault test's, the progress bar, the divergence check,
    the periodic reports and the snapshots."""
    cfg = run.cfg
    snapshots = set(cfg.snapshots)
    # checked at least at every report, so no NaN checkpoint is ever saved
    every = math.gcd(50, *(n for n in (cfg.eval_every, cfg.checkpoint_every) if n > 0))
    callbacks = [
        ProgressBar(enabled=None if cfg.progress else False),
        DivergenceCheck(every, also_at=snapshots),
        periodic,
    ]
    callbacks[:0] = hooks.faults.callbacks(cfg)  # none unless a fault test asks
    run.facts.update(
        # the threads a result was computed with decide its last digits (and the classifier's
        # cache key); a trial under Ray overwrites these with all its pools (keep_to_cpus)
        worker_threads=torch.get_num_threads(),
        worker_interop_threads=torch.get_num_interop_threads(),
    )
    if snapshots:
        configs = {c.iterations: c for c in cfg.snapshot_configs()}

        def snapshot(c: TrialConfig) -> TrialResult:
            return _result(run, c, c.trial_key(), data, trainer, periodic.history)

        callbacks.append(Snapshot(configs, snapshot, hooks.on_snapshot))
    return callbacks


def _result(
    run: _Run,
    run_cfg: TrialConfig,
    run_id: str,
    data: DatasetSplits,
    trainer: WGWINTrainer,
    reports: list[Metrics],
) -> TrialResult:
    """Stage 5: the trial `run_cfg` stands for (the whole trial, or a snapshot of it),
    evaluated on the generator as it is now, with its trials row and model files."""
    # the reports a run of `run_cfg` alone makes: not the other snapshots' extra ones
    it, every = trainer.iteration, run_cfg.eval_every
    history = [
        m
        for m in reports
        if m["iteration"] == it or (every and m["iteration"] <= it and m["iteration"] % every == 0)
    ]
    classifier, generator = trainer.classifier, trainer.generator
    with run.timer.stage("eval"):
        predictions, examples, summary = evaluate_sets(
            run_cfg, classifier, generator, data.val, data.test, run_id
        )
    last = history[-1] if history else {}
    record = trials_row(
        run_cfg,
        run_id,
        run.study_name,
        **run.facts,
        final_critic_loss=last.get("critic_loss"),
        final_generator_loss=last.get("generator_loss"),
        **summary,
        **run.timer.columns(),
        model_dir=MODEL_DIR,
    )
    model = model_files(run_cfg, classifier, generator, data.num_classes, run_id)
    return TrialResult(record, predictions, examples, history, model)
