"""The checks every TrialConfig passes when it is made, wherever its values came from (flags, a
config file, a study's params, a Tune config): types, finiteness, ranges and choices.

One place, so that a bad value is one GwinError line before any work starts, never a trial that
trains for minutes and then fails elsewhere (an infinite learning rate shows up as the
generator's NaN loss) or, worse, a trial that runs with a value nobody meant.
"""

from __future__ import annotations

import math
import re
import typing
from dataclasses import fields
from typing import Any

from gwin.errors import GwinError
from gwin.names import CLASSIFIERS, CORRUPTIONS, DATASETS, GENERATORS
from gwin.presets import PRESETS

# The largest whole number any setting takes: results store them as int64 and torch indexes
# with int32 on some kernels, so larger values would fail hours later, not at the start.
INT_MAX = 2**31 - 1
# Seeds are stored in Parquet's int64 and fed to numpy's legacy seeding (at most 32 bits).
SEED_MAX = 2**32 - 1
# Settings whose memory grows with them: beyond these a trial dies of memory (or takes days per
# iteration), not of a message. Each is far above any setting of the paper or a preset.
SIZE_MAX = {
    "dim": 4_096,
    "z_dim": 4_096,
    "batch_size": 65_536,
    "clf_batch_size": 65_536,
    "mc_samples": 10_000,
    "ensemble_size": 1_000,
}
# "cuda:N" or a plain device name; anything else torch would reject only once the trial runs
DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d{1,3})?")


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise GwinError(message)


_KINDS: dict[type, dict[str, tuple[type, bool, bool]]] = {}


def _kinds(cls: type) -> dict[str, tuple[type, bool, bool]]:
    """field -> (element type, optional, is a tuple) from the dataclass' annotations (read
    once per class: get_type_hints evaluates the string annotations)."""
    if cls in _KINDS:
        return _KINDS[cls]
    out = {}
    for name, tp in typing.get_type_hints(cls).items():
        args = typing.get_args(tp)
        optional = type(None) in args
        if optional:
            (tp,) = [a for a in args if a is not type(None)]
        many = typing.get_origin(tp) is tuple
        out[name] = (typing.get_args(tp)[0] if many else tp, optional, many)
    _KINDS[cls] = out
    return out


def shown(value: Any) -> str:
    """A value in an error line: its repr, cut short (a config file may hold a huge one)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_ok(value: Any, kind: type) -> bool:
    if kind is float:  # a whole number is a number too (JSON and YAML write 10.0 as 10)
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def check_types(c: Any) -> None:
    """Every field holds its annotated type, and every number is finite and fits INT_MAX."""
    for f in fields(c):
        kind, optional, many = _kinds(type(c))[f.name]
        value = getattr(c, f.name)
        if value is None and optional:
            continue
        values = value if many and isinstance(value, tuple) else (value,)
        one = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}
        many_of = {float: "numbers", int: "whole numbers", str: "names"}
        expected = f"a list of {many_of.get(kind, kind.__name__)}" if many else None
        _need(
            (not many or isinstance(value, tuple)) and all(_type_ok(v, kind) for v in values),
            f"{f.name} must be {expected or one.get(kind, kind.__name__)}, got {shown(value)}",
        )
        if kind is float:
            _need(
                all(math.isfinite(v) for v in values),
                f"{f.name} must be a finite number, got {shown(value)}",
            )
        if kind is int:
            top = SEED_MAX if "seed" in f.name else SIZE_MAX.get(f.name, INT_MAX)
            _need(all(v <= top for v in values), f"{f.name} must be <= {top}, got {shown(value)}")


def validate(c: Any) -> None:
    """Raise GwinError with one line naming the first bad field of TrialConfig `c`."""
    check_types(c)
    need = _need
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
    need(0.0 < c.dropout < 1.0, f"dropout must be in (0, 1), got {c.dropout}")
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
        # Adam's step is about lr per weight: above 1 every step overshoots any weight scale
        # a net of ours has; such a trial would only diverge, minutes later
        lr = getattr(c, name)
        need(lr > 0, f"{name} must be > 0, got {lr}")
        need(lr <= 1, f"{name} must be <= 1 (Adam's step size), got {lr}")
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
        "ensemble_size",
    ):
        need(getattr(c, name) >= 1, f"{name} must be >= 1, got {getattr(c, name)}")
    need(
        all(1 <= k < c.iterations for k in c.snapshots)
        and len(set(c.snapshots)) == len(c.snapshots),
        f"snapshots must be distinct iterations in [1, iterations = {c.iterations}), got "
        f"{list(c.snapshots)}",
    )
    for name in ("eval_every", "checkpoint_every", "n_examples"):
        need(getattr(c, name) >= 0, f"{name} must be >= 0, got {getattr(c, name)}")
    need(c.seed >= 0, f"seed must be >= 0, got {c.seed}")
    need(
        c.classifier_seed is None or c.classifier_seed >= 0,
        f"classifier_seed must be >= 0 or unset, got {c.classifier_seed}",
    )
    for name in ("limit_train", "confident_pool", "val_limit"):
        value = getattr(c, name)
        need(value is None or value >= 1, f"{name} must be >= 1 or unset, got {value}")
    need(
        DEVICE.fullmatch(c.device) is not None,
        f"unknown device {shown(c.device)}; use auto, cpu, cuda or cuda:N",
    )
    if c.corruptions:
        bad = [n for n in c.corruptions if n not in CORRUPTIONS]
        need(not bad, f"unknown corruption(s) {bad}; choose from {', '.join(CORRUPTIONS)}")
