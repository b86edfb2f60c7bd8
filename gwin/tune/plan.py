"""A study's trials as a `Plan`: the constant parameters crossed with its axes (dataset x
space x seed, or x variant), built from the parsed flags and checked before Ray starts.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass, field
from typing import Any

from gwin.config import RUNTIME_FIELDS, TrialConfig, config_field_names, config_from, jsonable
from gwin.errors import GwinError

# More seeds than any study needs (the paper's use 5): a count past it is a typo, and building
# its grid would fill the memory before the first line of output (--seeds 1000000000).
MAX_SEEDS = 10_000


def distinct_seeds(values: list[int], flag: str = "--seeds") -> list[int]:
    """Exactly these seeds (each one's range is TrialConfig's to check)."""
    if len(values) > MAX_SEEDS:
        raise GwinError(f"{flag} gives {len(values)} seeds; a study runs at most {MAX_SEEDS} seeds")
    if len(set(values)) != len(values):
        raise GwinError(f"{flag} {' '.join(map(str, values))} repeats a seed")
    return list(values)


def seeds_from(values: list[int]) -> list[int]:
    if len(values) == 1:
        if values[0] < 1:
            raise GwinError(f"--seeds {values[0]}: a single number is a count and must be >= 1")
        if values[0] > MAX_SEEDS:
            raise GwinError(
                f"--seeds {values[0]}: a study runs at most {MAX_SEEDS} seeds; pass a count "
                f"up to {MAX_SEEDS}, or --seed-list with the seeds themselves"
            )
        return list(range(values[0]))
    return distinct_seeds(values)


@dataclass
class Plan:
    """A study's trials: constant parameters crossed with the axes (dataset x space x seed).

    A `variant` axis names bundles of TrialConfig overrides (`base["variants"]`, e.g. "critic
    off" = {"use_critic": False}) for comparisons that are not a grid over one field.
    """

    base: dict[str, Any]  # preset and TrialConfig overrides shared by all trials (JSON-safe)
    axes: dict[str, list[Any]]
    runtime: dict[str, Any] = field(default_factory=dict)

    def params(self) -> list[dict[str, Any]]:
        keys = list(self.axes)
        return [
            {**self.base, **dict(zip(keys, combo, strict=True))}
            for combo in itertools.product(*self.axes.values())
        ]

    def configs(self) -> list[TrialConfig]:
        """Every trial's config; raises GwinError on the first bad one (before Ray starts)."""
        configs = [config_from(p) for p in self.params()]
        ids = [c.trial_key() for c in configs]
        if len(set(ids)) != len(ids):
            raise GwinError("the grid holds the same trial twice; remove repeated values")
        return configs

    def param_space(self) -> dict[str, Any]:
        from ray import tune

        return {**self.base, **{k: tune.grid_search(v) for k, v in self.axes.items()}}


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """TrialConfig identity fields the user set on the command line."""
    names = set(config_field_names()) - RUNTIME_FIELDS - {"preset"}
    return {k: jsonable(v) for k, v in vars(args).items() if k in names and v is not None}


def make_plan(
    args: argparse.Namespace,
    space: dict[str, list[Any]],
    defaults: dict[str, Any],
    variants: dict[str, dict[str, Any]] | None = None,
) -> Plan:
    for key, values in space.items():
        if key not in config_field_names() or key in RUNTIME_FIELDS:
            raise GwinError(f"search space key {key!r} is not a TrialConfig field")
        if not values:
            raise GwinError(f"no values for {key}; give at least one")
    base = {
        "preset": args.preset,
        **{k: jsonable(v) for k, v in defaults.items() if k not in space},
        **overrides_from(args),
    }
    axes = {
        "dataset": list(args.datasets),
        **{k: [jsonable(v) for v in vs] for k, vs in space.items()},
        "seed": seeds_from(args.seeds)
        if args.seed_list is None
        else distinct_seeds(args.seed_list, "--seed-list"),
    }
    if variants:
        base["variants"] = {name: dict(v) for name, v in variants.items()}
        axes = {"dataset": axes.pop("dataset"), "variant": list(variants), **axes}
    for key in axes:
        base.pop(key, None)
    plan = Plan(base, axes)
    plan.configs()
    return plan
