"""Typed, validated trial configuration and the `smoke` / `cpu` / `paper` presets.

A trial is fully determined by its `TrialConfig` (plus the data files). Fields listed in
`RUNTIME_FIELDS` say *where* a trial runs, not *what* it computes, so they are excluded from
the trial identity and from cache keys.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any

from gwin.corruptions import corruption_names
from gwin.errors import GwinError

DATASETS = ("digits", "mnist", "fashion_mnist")
CLASSIFIERS = ("lenet5", "bcnn")
GENERATORS = ("dcgan", "residual")
PRESETS = ("smoke", "cpu", "paper")
# The paper's inference thresholds (Section 5), plus 0.10/0.30 from design.md section 3.
DEFAULT_TAUS = (0.10, 0.30, 0.50, 0.70, 0.80, 0.90, 0.95, 0.99)
RUNTIME_FIELDS = frozenset({"device", "data_dir", "cache_dir", "progress"})


@dataclass(frozen=True)
class TrialConfig:
    """Everything one GWIN trial needs: data, classifier C, confident set P_c, WGWIN-GP, evaluation.

    Defaults are the paper's settings (Algorithm 1 and Section 5); presets override some of them.
    """

    # what is studied
    dataset: str = "digits"
    classifier: str = "lenet5"
    preset: str = "paper"
    seed: int = 0
    # None: the classifier is trained with `seed`. Set it to share one classifier across GWIN seeds.
    classifier_seed: int | None = None
    limit_train: int | None = None  # subsample the training split (quick experiments only)

    # classifier C (Section 4.1): negative ELBO, Adam
    clf_epochs: int = 30
    clf_lr: float = 1e-3
    clf_batch_size: int = 128
    mc_samples: int = 10  # T Monte Carlo draws for certainty

    # confident subset P_c
    tau_star: float = 0.95
    # None: P_c is built from the whole training split; N: from its first N inputs (a CPU budget
    # saver: T Monte Carlo passes over 50k inputs cost minutes on 2 cores).
    confident_pool: int | None = None

    # WGWIN-GP (Algorithm 1)
    generator: str = "dcgan"  # "dcgan": the paper's WGAN-GP generator; "residual": see gwin_nets
    dim: int = 64
    z_dim: int = 128
    lambda_gp: float = 10.0
    lambda_loss: float = 10.0
    # False: the "critic off" ablation, G trained by lambda_Loss * CE alone (no critic at all)
    use_critic: bool = True
    n_critic: int = 5
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    beta1: float = 0.5
    beta2: float = 0.9
    batch_size: int = 128
    iterations: int = 200_000

    # evaluation and bookkeeping
    taus: tuple[float, ...] = DEFAULT_TAUS
    eval_every: int = 5_000  # validation metrics every k generator iterations (0: only at the end)
    eval_size: int = 2_000  # validation inputs used for the periodic metrics
    val_limit: int | None = None  # None: final predictions on the whole validation split
    checkpoint_every: int = 5_000
    corruptions: tuple[str, ...] = ()  # corrupted test sets to evaluate (see gwin.corruptions)
    n_examples: int = 16  # transformed test images kept for figures

    # runtime only (not part of the trial identity)
    device: str = "auto"
    data_dir: str | None = None
    cache_dir: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def effective_classifier_seed(self) -> int:
        return self.seed if self.classifier_seed is None else self.classifier_seed

    def identity(self) -> dict[str, Any]:
        """The fields that determine the trial's results (JSON-safe)."""
        d = dataclasses.asdict(self)
        for name in RUNTIME_FIELDS:
            d.pop(name)
        d["taus"] = list(self.taus)
        d["corruptions"] = list(self.corruptions)
        return d

    def record_columns(self) -> dict[str, Any]:
        """The config's columns of a `trials` row (docs/results.md): the identity with the
        effective classifier seed, list fields as JSON strings, and the whole as `config_json`."""
        identity = self.identity()
        return {
            **identity,
            "classifier_seed": self.effective_classifier_seed,
            "taus": json.dumps(identity["taus"]),
            "corruptions": json.dumps(identity["corruptions"]),
            "config_json": json.dumps(identity, sort_keys=True),
        }

    def trial_key(self) -> str:
        """A short stable hash of `identity()`; the default trial_id."""
        blob = json.dumps(self.identity(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def replace(self, **changes: Any) -> TrialConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_preset(cls, preset: str = "smoke", **overrides: Any) -> TrialConfig:
        """The preset's settings with `overrides` (None values are ignored) applied on top."""
        if preset not in PRESETS:
            raise GwinError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise GwinError(f"unknown config field(s) {sorted(unknown)}; see TrialConfig")
        values = dict(PRESET_VALUES[preset])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(preset=preset, **values)


# `cpu` is not the paper: on 2 CPU cores a paper-width generator iteration costs ~3.5 s, so it uses
# the residual generator (starts at the identity, so it cannot lose to C early on), width 16,
# batch 64 and lr 1e-3, which design.md section 4 measured to beat C on the rejected subset
# within minutes. To fit ~10 minutes it also trains C for 2 epochs, builds P_c from 10k inputs
# and uses n_critic = 2: at equal GWIN time, 1,500 iterations with n_critic 2 beat 800 with
# n_critic 5 on the validation split at tau 0.5-0.99 (docs/performance.md, "Choosing `cpu`").
# `paper` is the paper's settings exactly (the dataclass defaults); it also evaluates every
# corruption, which adds robustness data without changing any paper number.
PRESET_VALUES: dict[str, dict[str, Any]] = {
    "smoke": dict(
        clf_epochs=4,
        clf_batch_size=64,
        generator="residual",
        dim=8,
        z_dim=16,
        n_critic=2,
        lr_g=1e-3,
        lr_d=1e-3,
        batch_size=32,
        # 300, not 30: chosen on digits' validation split so that lambda_Loss = 10 beats C on
        # the rejected inputs at every tau >= 0.5 (docs/performance.md, "Choosing smoke").
        iterations=300,
        eval_every=100,
        eval_size=200,
        checkpoint_every=100,
        corruptions=("shot_noise", "rotate"),
        n_examples=8,
    ),
    "cpu": dict(
        clf_epochs=2,
        generator="residual",
        dim=16,
        n_critic=2,
        batch_size=64,
        lr_g=1e-3,
        lr_d=1e-3,
        iterations=1_500,
        confident_pool=10_000,
        val_limit=2_000,
        eval_every=500,
        eval_size=1_000,
        checkpoint_every=500,
        corruptions=(),
    ),
    "paper": dict(corruptions=tuple(corruption_names())),
}


def _validate(c: TrialConfig) -> None:
    def need(ok: bool, message: str) -> None:
        if not ok:
            raise GwinError(message)

    need(
        c.dataset in DATASETS, f"unknown dataset {c.dataset!r}; choose one of {', '.join(DATASETS)}"
    )
    need(
        c.classifier in CLASSIFIERS,
        f"unknown classifier {c.classifier!r}; choose one of {', '.join(CLASSIFIERS)}",
    )
    need(
        c.generator in GENERATORS,
        f"unknown generator {c.generator!r}; choose one of {', '.join(GENERATORS)}",
    )
    need(c.preset in PRESETS, f"unknown preset {c.preset!r}; choose one of {', '.join(PRESETS)}")
    need(0.0 <= c.tau_star <= 1.0, f"tau_star must be in [0, 1], got {c.tau_star}")
    need(all(0.0 <= t <= 1.0 for t in c.taus), f"every tau must be in [0, 1], got {list(c.taus)}")
    need(len(c.taus) > 0, "taus must not be empty; e.g. --taus 0.5 0.8 0.99")
    for name in ("lambda_gp", "lambda_loss"):
        need(getattr(c, name) >= 0, f"{name} must be >= 0, got {getattr(c, name)}")
    need(
        c.use_critic or c.lambda_loss > 0,
        "use_critic=False with lambda_loss=0 leaves the generator without a loss; "
        "set --lambda-loss > 0 or drop --no-use-critic",
    )
    need(
        c.preset != "paper" or c.dataset in ("mnist", "fashion_mnist"),
        f"the paper preset is for the paper's datasets, not {c.dataset!r}; pass --dataset "
        "mnist or --dataset fashion_mnist, or use --preset smoke or cpu for digits",
    )
    for name in ("lr_g", "lr_d", "clf_lr"):
        need(getattr(c, name) > 0, f"{name} must be > 0, got {getattr(c, name)}")
    for name in ("beta1", "beta2"):
        need(0.0 <= getattr(c, name) < 1.0, f"{name} must be in [0, 1), got {getattr(c, name)}")
    for name in (
        "iterations",
        "n_critic",
        "batch_size",
        "clf_batch_size",
        "clf_epochs",
        "mc_samples",
        "dim",
        "z_dim",
        "eval_size",
    ):
        need(getattr(c, name) >= 1, f"{name} must be >= 1, got {getattr(c, name)}")
    for name in ("eval_every", "checkpoint_every", "n_examples"):
        need(getattr(c, name) >= 0, f"{name} must be >= 0, got {getattr(c, name)}")
    need(c.seed >= 0, f"seed must be >= 0, got {c.seed}")
    for name in ("limit_train", "confident_pool", "val_limit"):
        value = getattr(c, name)
        need(value is None or value >= 1, f"{name} must be >= 1 or unset, got {value}")
    need(
        c.device == "auto" or c.device == "cpu" or c.device.startswith(("cuda", "mps")),
        f"unknown device {c.device!r}; use auto, cpu, cuda or cuda:N",
    )
    if c.corruptions:
        known = corruption_names()
        bad = [n for n in c.corruptions if n not in known]
        need(not bad, f"unknown corruption(s) {bad}; choose from {', '.join(known)}")


def config_field_names() -> list[str]:
    return [f.name for f in fields(TrialConfig)]


__all__ = [
    "CLASSIFIERS",
    "DATASETS",
    "DEFAULT_TAUS",
    "GENERATORS",
    "PRESETS",
    "PRESET_VALUES",
    "RUNTIME_FIELDS",
    "TrialConfig",
    "config_field_names",
]
