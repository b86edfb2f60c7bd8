"""Typed, validated trial configuration, and the one mapping between it and flags / params.

A trial is fully determined by its `TrialConfig` (plus the data files). Fields listed in
`RUNTIME_FIELDS` say *where* a trial runs, not *what* it computes, so they are excluded from
the fields that set a trial's results (`result_fields()`) and from cache keys. Every field is a
command-line flag
(`gwin.config_flags`); a flag, a study's JSON-safe params and a Tune config all become a
TrialConfig through `config_from`, the one place lists become tuples and presets apply.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any

from gwin.config_checks import validate
from gwin.errors import GwinError
from gwin.method.rejection import DEFAULT_TAUS
from gwin.presets import PRESET_VALUES, PRESETS

RUNTIME_FIELDS = frozenset({"device", "data_dir", "cache_dir", "progress"})
# Limits whose None means "no limit" (all inputs). A preset may set one (`cpu` builds P_c from
# 10k inputs); the value ALL lifts it again, from a flag, a config file or a study's params,
# where None would mean "the preset's value".
NONE_MEANS_ALL = frozenset({"confident_pool", "val_limit", "limit_train"})
ALL = "all"
# Fields that add outputs without changing the trial's own results: not among its result fields.
OUTPUT_FIELDS = frozenset({"snapshots"})


# Per classifier, its constructor's extra arguments and the config fields they come from: a
# table, so a new classifier with options is one line here (docs/contributing.md).
CLASSIFIER_OPTIONS: dict[str, dict[str, str]] = {
    "lenet5_dropout": {"p": "dropout"},
    "lenet5_ensemble": {"members": "ensemble_size"},
}


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
    mc_samples: int = 10  # T Monte Carlo draws for certainty (an ensemble: K; softmax: 1)
    dropout: float = 0.5  # lenet5_dropout's rate (= gwin.models.deterministic.DEFAULT_DROPOUT)
    ensemble_size: int = 5  # lenet5_ensemble's K (= DEFAULT_ENSEMBLE_SIZE there)

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
    # Generator iterations k < iterations at which the run is also evaluated and recorded as the
    # trial with iterations = k (training never depends on the total number of iterations).
    snapshots: tuple[int, ...] = ()

    # runtime only (not among the result fields)
    device: str = "auto"
    data_dir: str | None = None
    cache_dir: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        validate(self)  # gwin.config_checks: types, finiteness, ranges, choices

    @property
    def effective_classifier_seed(self) -> int:
        return self.seed if self.classifier_seed is None else self.classifier_seed

    def classifier_options(self) -> dict[str, Any]:
        """Constructor arguments of the classifier beyond its name (only those it has, so that
        they enter the cache key of exactly the classifiers they change)."""
        return {
            arg: getattr(self, field)
            for arg, field in CLASSIFIER_OPTIONS.get(self.classifier, {}).items()
        }

    def result_fields(self) -> dict[str, Any]:
        """The fields that determine the trial's results (JSON-safe)."""
        d = dataclasses.asdict(self)
        for name in RUNTIME_FIELDS | OUTPUT_FIELDS:
            d.pop(name)
        d["taus"] = list(self.taus)
        d["corruptions"] = list(self.corruptions)
        return d

    def trial_key(self) -> str:
        """A short stable hash of `result_fields()`; the default trial_id."""
        blob = json.dumps(self.result_fields(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def snapshot_configs(self) -> list[TrialConfig]:
        """The trials this run's snapshots stand for: the same config at iterations = k."""
        return [self.replace(iterations=k, snapshots=()) for k in self.snapshots]

    def result_keys(self) -> list[str]:
        """The trial ids this run writes: its own, then one per snapshot."""
        return [self.trial_key(), *(c.trial_key() for c in self.snapshot_configs())]

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
        values.update({k: _tuple(v) for k, v in overrides.items() if v is not None})
        values.update({k: None for k in NONE_MEANS_ALL if values.get(k) == ALL})
        return cls(preset=preset, **values)


def config_field_names() -> list[str]:
    return [f.name for f in fields(TrialConfig)]


def _tuple(value: Any) -> Any:
    # JSON, Tune and argparse give lists; the tuple fields of a frozen config need tuples
    return tuple(value) if isinstance(value, list) else value


def jsonable(value: Any) -> Any:
    """The inverse of `_tuple`, for JSON-safe study params."""
    return list(value) if isinstance(value, tuple) else value


def config_from(params: dict[str, Any], **runtime: Any) -> TrialConfig:
    """A TrialConfig from `preset` plus field values (None: the preset's), optionally a
    `variant` name with the study's `variants` table of overrides, plus runtime fields."""
    values = dict(params)
    preset = values.pop("preset", "smoke")
    variants, variant = values.pop("variants", {}), values.pop("variant", None)
    if variant is not None:
        values.update(variants[variant])
    return TrialConfig.from_preset(preset, **values, **runtime)


def setting_text(value: Any, name: str = "") -> str:
    """A setting's value as help texts and reports print it: a list space-separated, a missing
    limit (`name` in NONE_MEANS_ALL) as `all`, another None as `none`, a float without a
    trailing `.0`."""
    if isinstance(value, tuple | list):
        return " ".join(setting_text(v) for v in value) if value else "none"
    if value is None:
        return ALL if name in NONE_MEANS_ALL else "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def config_from_args(args: Any) -> TrialConfig:
    """The TrialConfig a parsed command line describes (flags from gwin.config_flags)."""
    names = set(config_field_names())
    return config_from({k: v for k, v in vars(args).items() if k in names})


__all__ = [
    "ALL",
    "NONE_MEANS_ALL",
    "OUTPUT_FIELDS",
    "PRESETS",
    "PRESET_VALUES",
    "RUNTIME_FIELDS",
    "TrialConfig",
    "config_field_names",
    "config_from",
    "config_from_args",
    "jsonable",
    "setting_text",
]
