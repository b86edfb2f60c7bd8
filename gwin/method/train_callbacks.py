"""Training callbacks: a progress bar, periodic validation/reporting with checkpoints."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection
from typing import Any

import torch

from gwin.errors import TrialDiverged
from gwin.method.train_gwin import Callback, WGWINTrainer

Metrics = dict[str, float]


def _host(losses: dict[str, torch.Tensor]) -> Metrics:
    # One device->host transfer for all losses.
    values = torch.stack(list(losses.values())).tolist()
    return dict(zip(losses, values, strict=True))


class ProgressBar(Callback):
    """A tqdm bar on a terminal (or when forced); silent otherwise. Syncs every `every` steps."""

    def __init__(self, every: int = 10, enabled: bool | None = None, desc: str = "WGWIN-GP"):
        self.every, self.desc = every, desc
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None

    def on_train_start(self, trainer: WGWINTrainer) -> None:
        if self.enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=trainer.cfg.iterations, initial=trainer.iteration, desc=self.desc, leave=False
            )

    def on_iteration_end(self, trainer: WGWINTrainer, losses: dict[str, torch.Tensor]) -> None:
        if self.bar is not None and trainer.iteration % self.every == 0:
            self.bar.update(trainer.iteration - self.bar.n)
            self.bar.set_postfix({k: f"{v:.3g}" for k, v in _host(losses).items()})

    def on_train_end(self, trainer: WGWINTrainer) -> None:
        if self.bar is not None:
            self.bar.close()


class PeriodicProgress(Callback):
    """Every `eval_every` / `checkpoint_every` iterations (and at the end): validate, then hand
    the metrics (and, on checkpoint iterations, the trainer state) to `on_progress(metrics, state)`.

    Validation runs under a forked RNG so that reporting never changes the training trajectory
    (a resumed run and an uninterrupted one stay identical).
    """

    def __init__(
        self,
        validate: Callable[[WGWINTrainer], Metrics],
        on_progress: Callable[[Metrics, dict[str, Any] | None], None],
        eval_every: int,
        checkpoint_every: int,
        also_at: Collection[int] = (),
    ):
        self.validate, self.on_progress = validate, on_progress
        self.eval_every, self.checkpoint_every = eval_every, checkpoint_every
        self.also_at = set(also_at)  # snapshots: each is the last iteration of a shorter trial
        self.history: list[Metrics] = []

    def _due(self, every: int, it: int, last: int) -> bool:
        return it == last or (every > 0 and it % every == 0)

    def on_iteration_end(self, trainer: WGWINTrainer, losses: dict[str, torch.Tensor]) -> None:
        it, last = trainer.iteration, trainer.cfg.iterations
        evaluate = self._due(self.eval_every, it, last) or it in self.also_at
        save = self._due(self.checkpoint_every, it, last)
        if not (evaluate or save):
            return
        metrics: Metrics = {"iteration": it, **_host(losses)}
        if evaluate:
            devices = [trainer.device] if trainer.device.type == "cuda" else []
            with torch.random.fork_rng(devices=devices):
                metrics.update(self.validate(trainer))
            trainer.generator.train()
            self.history.append(metrics)
        # the history travels with the state: a resumed run's history is the whole run's
        state = {**trainer.state_dict(), "history": list(self.history)} if save else None
        self.on_progress(metrics, state)


class DivergenceCheck(Callback):
    """Stop a trial as soon as a loss is NaN or infinite, naming the loss and the iteration.

    Every iteration marks, on the device, the first iteration each loss stopped being finite
    (no host sync); the marks are read back every `every` iterations and at the end, so a
    diverged trial stops within `every` iterations and still reports where it started.
    """

    def __init__(self, every: int = 50, also_at: Collection[int] = ()):
        self.every, self.also_at = every, set(also_at)
        self.first_bad: torch.Tensor | None = None  # per loss: iteration, or -1
        self.was_nan: torch.Tensor | None = None

    def on_iteration_end(self, trainer: WGWINTrainer, losses: dict[str, torch.Tensor]) -> None:
        values = torch.stack(list(losses.values()))
        if self.first_bad is None or self.was_nan is None:
            self.first_bad = torch.full_like(values, -1, dtype=torch.long)
            self.was_nan = torch.zeros_like(values, dtype=torch.bool)
        new = ~torch.isfinite(values) & (self.first_bad < 0)
        self.first_bad = torch.where(new, trainer.iteration, self.first_bad)
        self.was_nan = self.was_nan | (new & torch.isnan(values))
        it = trainer.iteration
        if it % self.every == 0 or it == trainer.cfg.iterations or it in self.also_at:
            self._raise_if_diverged(list(losses))

    def _raise_if_diverged(self, names: list[str]) -> None:
        assert self.first_bad is not None and self.was_nan is not None  # set by the first step
        first, nan = self.first_bad.tolist(), self.was_nan.tolist()
        bad = [(it, i) for i, it in enumerate(first) if it >= 0]
        if bad:
            iteration, i = min(bad)  # the earliest, then in the losses' own order
            raise TrialDiverged(
                f"{names[i].replace('_', ' ')} is {'NaN' if nan[i] else 'infinite'} at "
                f"iteration {iteration}; the run diverged (lower --lr-g / --lr-d or "
                "--lambda-loss)"
            )


class Snapshot(Callback):
    """At each iteration k of `configs` (k -> the config with iterations = k), build the trial
    that config stands for with `make(config)` and hand it to `deliver`. Runs under a forked
    RNG, so a run with snapshots trains exactly as one without; after PeriodicProgress, so the
    snapshot's history holds its validation at k."""

    def __init__(self, configs: dict[int, Any], make: Callable[[Any], Any], deliver=None):
        self.configs, self.make, self.deliver = configs, make, deliver

    def on_train_start(self, trainer: WGWINTrainer) -> None:
        # a run killed after its checkpoint at k but before snapshot k was written resumes at
        # k: write it now (the checkpoint holds k's validation report)
        self.on_iteration_end(trainer, {})

    def on_iteration_end(self, trainer: WGWINTrainer, losses: dict[str, torch.Tensor]) -> None:
        config = self.configs.get(trainer.iteration)
        if config is None:
            return
        devices = [trainer.device] if trainer.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            result = self.make(config)
        trainer.generator.train()
        if self.deliver is not None:
            self.deliver(result)
