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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from gwin.cache import ArtifactCache, built_here, classifier_fields, confident_fields
from gwin.config import TrialConfig
from gwin.data.datasets import Split, load_dataset
from gwin.device import mc_chunk, resolve_device
from gwin.faults import NO_FAULTS, Faults
from gwin.method.confident import certainties, confident_indices, confident_subset
from gwin.method.evaluate import predict
from gwin.method.rejection import REPORT_TAU
from gwin.method.train_callbacks import (
    DivergenceCheck,
    Metrics,
    PeriodicProgress,
    ProgressBar,
    Snapshot,
)
from gwin.method.train_classifier import train_classifier
from gwin.method.train_gwin import WGWINTrainer
from gwin.method.trial_eval import evaluate_sets, stage_seed
from gwin.metrics.names import HISTORY_COLUMNS, VAL_GAIN, as_val
from gwin.metrics.sweep import tau_sweep
from gwin.model import MODEL_DIR, model_files
from gwin.models.gwin_nets import Critic, build_generator
from gwin.models.registry import build_classifier
from gwin.store.trials_table import trials_row
from gwin.tracking import Pictures

OnProgress = Callable[[Metrics, dict[str, Any] | None], None]


def _log(cfg: TrialConfig, message: str) -> None:
    if cfg.progress:
        print(f"[gwin] {message}", file=sys.stderr, flush=True)


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
    """Wall seconds per stage, as the `seconds_<stage>` columns of the trials row."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[f"seconds_{name}"] = time.perf_counter() - start


def load_classifier(cfg: TrialConfig, train: Split, num_classes: int, cache: ArtifactCache):
    """(C in eval mode, cache hit): trained with the classifier seed on `train`, or loaded from
    the cache; C lives on `train`'s device, so pass the split already moved there."""
    options = cfg.classifier_options()
    device = train.x.device
    model = build_classifier(cfg.classifier, num_classes, **options).to(device)

    def fit() -> dict[str, Any]:
        torch.manual_seed(stage_seed(cfg.effective_classifier_seed, "classifier"))
        fresh = build_classifier(cfg.classifier, num_classes, **options).to(device)
        _log(cfg, f"training {cfg.classifier} on {cfg.dataset} ({cfg.clf_epochs} epochs)")
        history = train_classifier(
            fresh,
            train,
            epochs=cfg.clf_epochs,
            lr=cfg.clf_lr,
            batch_size=cfg.clf_batch_size,
            on_epoch=lambda e, loss: _log(cfg, f"  epoch {e + 1}: negative ELBO / N = {loss:.4f}"),
        )
        state = {k: v.cpu() for k, v in fresh.state_dict().items()}
        return {"state_dict": state, "loss_history": history}

    artifact, hit = cache.get_or_create(classifier_fields(cfg, built_here(device)), fit)
    model.load_state_dict(artifact["state_dict"])
    model.eval()
    return model, hit


def load_confident_indices(cfg: TrialConfig, model, train: Split, cache: ArtifactCache):
    """(indices of P_c in the training split, cache hit): built, or loaded from the cache."""

    def build() -> dict[str, Any]:
        torch.manual_seed(stage_seed(cfg.effective_classifier_seed, "confident"))
        pool = Split(train.x[: cfg.confident_pool], train.y[: cfg.confident_pool])
        shown = None if cfg.progress else False
        pred, cert = certainties(model, pool, cfg.mc_samples, mc_chunk(train.x.device), shown)
        idx = confident_indices(pred, cert, pool.y, cfg.tau_star)
        return {"indices": idx.cpu(), "certainty": cert.cpu()}

    artifact, hit = cache.get_or_create(confident_fields(cfg, built_here(train.x.device)), build)
    return artifact["indices"].to(train.x.device), hit


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
    trial_id = trial_id or cfg.trial_key()
    device = resolve_device(cfg.device)
    cache = ArtifactCache(cfg.cache_dir)
    timer = _Timer()
    started = time.perf_counter()

    with timer.stage("data"):
        data = load_dataset(cfg.dataset, cfg.data_dir, limit_train=cfg.limit_train)
        train, val, test = (s.to(device) for s in (data.train, data.val, data.test))
        val = Split(val.x[: cfg.val_limit], val.y[: cfg.val_limit])
    _log(cfg, f"{cfg.dataset}: {len(train)} train / {len(val)} val / {len(test)} test on {device}")

    with timer.stage("classifier"):
        classifier, clf_hit = load_classifier(cfg, train, data.num_classes, cache)
    with timer.stage("confident"):
        indices, pc_hit = load_confident_indices(cfg, classifier, train, cache)
        confident = confident_subset(train, indices)
    _log(cfg, f"classifier cache {'hit' if clf_hit else 'miss'}; |P_c| = {len(confident)}")

    gwin_started = time.perf_counter()
    with timer.stage("gwin"):
        torch.manual_seed(stage_seed(cfg.seed, "gwin"))
        generator = build_generator(cfg.generator, cfg.dim, cfg.z_dim).to(device)
        critic = Critic(cfg.dim, data.num_classes).to(device)
        trainer = WGWINTrainer(generator, critic, classifier, confident, train, cfg)
        resumed_from, periodic_history = 0, []
        if resume_state is not None:
            trainer.load_state_dict(resume_state)
            # a checkpoint written before histories were kept in it has none
            periodic_history = list(resume_state.get("history", []))
            resumed_from = trainer.iteration
            _log(cfg, f"resuming WGWIN-GP from iteration {resumed_from}")

        val_x, val_y = val.x[: cfg.eval_size], val.y[: cfg.eval_size]

        def validate(t: WGWINTrainer) -> Metrics:
            torch.manual_seed(stage_seed(cfg.seed, "validate"))
            cols = predict(
                classifier,
                t.generator,
                val_x,
                val_y,
                samples=cfg.mc_samples,
                z_dim=cfg.z_dim,
                batch_size=mc_chunk(device),
            )
            cols.pop("bnn_score")
            row = tau_sweep(pd.DataFrame(cols), [REPORT_TAU]).iloc[0]
            return {as_val(k): float(row[k]) for k in HISTORY_COLUMNS}

        pictures = Pictures(
            classifier,
            val_x,
            tau=REPORT_TAU,
            samples=cfg.mc_samples,
            z_dim=cfg.z_dim,
            seed=stage_seed(cfg.seed, "pictures"),
            every=picture_every,
        )

        def progress(metrics: Metrics, state: dict[str, Any] | None) -> None:
            validated = VAL_GAIN in metrics  # not a checkpoint-only report
            if on_picture is not None and validated:
                if (grid := pictures.next(trainer.generator)) is not None:
                    on_picture(int(metrics["iteration"]), grid)
            if not sys.stderr.isatty():
                shown = ", ".join(f"{k}={v:.4g}" for k, v in metrics.items() if k != "iteration")
                _log(cfg, f"iteration {int(metrics['iteration'])}/{cfg.iterations}: {shown}")
            if on_progress is not None:
                on_progress(metrics, state)

        snapshots = set(cfg.snapshots)
        periodic = PeriodicProgress(
            validate, progress, cfg.eval_every, cfg.checkpoint_every, also_at=snapshots
        )
        periodic.history = periodic_history
        # checked at least at every report, so no NaN checkpoint is ever saved
        every = math.gcd(50, *(n for n in (cfg.eval_every, cfg.checkpoint_every) if n > 0))
        callbacks = [
            ProgressBar(enabled=None if cfg.progress else False),
            DivergenceCheck(every, also_at=snapshots),
            periodic,
        ]
        callbacks[:0] = faults.callbacks(cfg)  # none unless a fault test asks
        facts = {
            "n_train": len(train),
            "n_confident": len(confident),
            "classifier_cache_hit": clf_hit,
            "confident_cache_hit": pc_hit,
            "resumed_from_iteration": resumed_from,
            "device": str(device),
            # the threads a result was computed with decide its last digits (and the classifier's
            # cache key); a trial under Ray overwrites these with all its pools (keep_to_cpus)
            "worker_threads": torch.get_num_threads(),
            "worker_interop_threads": torch.get_num_interop_threads(),
        }

        def finish(run_cfg: TrialConfig, run_id: str) -> TrialResult:
            """The trial `run_cfg` stands for, evaluated on the generator as it is now."""
            # the reports a run of `run_cfg` alone makes: not the other snapshots' extra ones
            it, every = trainer.iteration, run_cfg.eval_every
            history = [
                m
                for m in periodic.history
                if m["iteration"] == it
                or (every and m["iteration"] <= it and m["iteration"] % every == 0)
            ]
            with timer.stage("eval"):
                predictions, examples, summary = evaluate_sets(
                    run_cfg, classifier, generator, val, test, run_id
                )
            last = history[-1] if history else {}
            record = trials_row(
                run_cfg,
                run_id,
                study_name,
                **facts,
                final_critic_loss=last.get("critic_loss"),
                final_generator_loss=last.get("generator_loss"),
                **summary,
                # a snapshot's gwin stage is still running: its seconds so far
                **{"seconds_gwin": time.perf_counter() - gwin_started, **timer.seconds},
                seconds_total=time.perf_counter() - started,
                model_dir=MODEL_DIR,
            )
            model = model_files(run_cfg, classifier, generator, data.num_classes, run_id)
            return TrialResult(record, predictions, examples, history, model)

        if snapshots:
            configs = {c.iterations: c for c in cfg.snapshot_configs()}
            callbacks.append(Snapshot(configs, lambda c: finish(c, c.trial_key()), on_snapshot))
        trainer.fit(callbacks)

    return finish(cfg, trial_id)
