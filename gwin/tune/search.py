"""Hyperparameter search: Optuna (seeded TPE) + ASHA on the validation split, then the best
configuration re-run over several seeds, all in one study folder.

Per dataset, two Tune experiments: STUDY/tune/search-<dataset> (one trial seed, --num-samples
Optuna samples, ASHA stops poor ones early on `gen_iter`) and STUDY/tune/best-<dataset> (the
best sampled values x --seeds; their test-split numbers are the ones to report). Datasets and
seeds are looped over outside Optuna: Optuna cannot take grid searches. The chosen values are
saved in STUDY/best/<dataset>.json.

Search-space specs are plain tuples, so study scripts need not import Ray:
("loguniform", lo, hi), ("uniform", lo, hi), ("int", lo, hi) (both ends included), ("choice", [..]).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from gwin.config import config_from
from gwin.errors import EXIT_OK, GwinError
from gwin.metrics.names import VAL_GAIN
from gwin.store.location import write_json
from gwin.store.trial_outputs import done_ids
from gwin.tune.flags import parse_study
from gwin.tune.plan import Plan
from gwin.tune.plan_file import check_same_plan, write_plan
from gwin.tune.ray_session import ray_session
from gwin.tune.runner import owned_study, preflight, run_tune, study_paths, tune_config
from gwin.tune.study_console import (
    resources_line,
    study_command,
    summarize,
    unfinished,
)
from gwin.tune.verbosity import say

# validation, tau = 0.8, maximised: what G adds over re-drawing C on the unchanged input (the
# identity baseline), so a search cannot reward the resampling gain that any G would get
METRIC = VAL_GAIN


def _corners(spec: tuple) -> list[Any]:
    kind, *rest = spec
    if kind in ("loguniform", "uniform", "int"):
        lo, hi = rest
        if not lo < hi or (kind == "loguniform" and lo <= 0):
            raise GwinError(f"bad search range {spec}; need 0 < lo < hi for loguniform, lo < hi")
        return [lo, hi]
    if kind == "choice":
        if not rest or not rest[0]:
            raise GwinError(f"empty choice in search space: {spec}")
        return list(rest[0])
    raise GwinError(f"unknown search spec {spec}; use loguniform, uniform, int or choice")


def _domain(spec: tuple):
    from ray import tune

    kind, *rest = spec
    if kind == "loguniform":
        return tune.loguniform(*rest)
    if kind == "uniform":
        return tune.uniform(*rest)
    if kind == "int":
        return tune.randint(rest[0], rest[1] + 1)  # randint excludes its upper end
    return tune.choice(list(rest[0]))


def _add_search_flags(
    parser: argparse.ArgumentParser, num_samples: int, grace_period: int | None
) -> None:
    g = parser.add_argument_group("search")
    g.add_argument(
        "--num-samples",
        type=int,
        default=num_samples,
        help=f"Optuna samples per dataset (default {num_samples})",
    )
    g.add_argument("--sampler-seed", type=int, default=0, help="TPE sampler seed (default 0)")
    g.add_argument(
        "--search-seed",
        type=int,
        default=1000,
        help="trial seed used while searching; kept apart from --seeds so the final "
        "estimates do not reuse the run that selected them (default 1000)",
    )
    g.add_argument("--reduction-factor", type=float, default=3.0, help="ASHA (default 3)")
    g.add_argument(
        "--grace-period",
        type=int,
        default=grace_period,
        help="generator iterations before ASHA may stop a trial: at least the budget where "
        "learning curves separate, or slow starters are stopped (default: "
        + (f"{grace_period})" if grace_period else "the first validation, --eval-every)"),
    )


def _horizon(args: argparse.Namespace, cfg, space: dict[str, tuple]) -> tuple[int, int]:
    """(the longest trial's iterations, ASHA's grace period)."""
    # when iterations are searched, the longest trial sets ASHA's horizon
    iterations = max(_corners(space["iterations"])) if "iterations" in space else cfg.iterations
    if args.grace_period is None:
        return iterations, cfg.eval_every if 0 < cfg.eval_every <= iterations else iterations
    if not 0 < args.grace_period < iterations:
        raise GwinError(
            f"--grace-period must be between 1 and {iterations - 1} (below the longest "
            f"trial's {iterations} iterations), got {args.grace_period}"
        )
    return iterations, args.grace_period


def _search_config(args: argparse.Namespace, cfg, space: dict[str, tuple], start_points):
    import optuna
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search.optuna import OptunaSearch

    iterations, grace = _horizon(args, cfg, space)
    return tune_config(
        args,
        metric=METRIC,
        mode="max",
        search_alg=OptunaSearch(
            points_to_evaluate=start_points,
            sampler=optuna.samplers.TPESampler(seed=args.sampler_seed),
        ),
        scheduler=ASHAScheduler(
            time_attr="gen_iter",
            # no rung at the very end: a trial that got there is evaluated on the full
            # validation split and written out, not discarded
            max_t=max(grace, iterations - 1),
            grace_period=grace,
            reduction_factor=args.reduction_factor,
            # with True, ASHA stops every trial at its last periodic report (gen_iter ==
            # max_t), before it evaluates and writes its results
            stop_last_trials=False,
        ),
        num_samples=args.num_samples,
    )


def best_params(grid, keys: list[str]) -> tuple[dict[str, Any], float]:
    """The best trial's sampled values; trials that ran to the end (full validation split)
    are preferred over ones ASHA stopped (scored on the periodic subset)."""
    finished = [r for r in grid if r.error is None and "trial_key" in (r.metrics or {})]
    pool = finished or [r for r in grid if r.error is None and METRIC in (r.metrics or {})]
    if not pool:
        raise GwinError("no search trial reported a validation score; see the errors above")
    best = max(pool, key=lambda r: r.metrics[METRIC])
    return {k: best.config[k] for k in keys}, float(best.metrics[METRIC])


@study_command
def search_main(
    name: str,
    space: dict[str, tuple],
    *,
    description: str,
    defaults: dict[str, Any] | None = None,
    datasets: tuple[str, ...] = ("digits",),
    preset: str = "smoke",
    seeds: int = 3,
    num_samples: int = 12,
    start_points: list[dict[str, Any]] | None = None,
    grace_period: int | None = None,
    argv: list[str] | None = None,
) -> int:
    """Optuna + ASHA over `space` per dataset (validation), then the best over --seeds.

    `start_points`: values of `space` to evaluate first (e.g. today's preset), counted in
    --num-samples."""
    started = time.time()
    args, plan = parse_study(
        name,
        description,
        {},
        defaults=defaults or {},
        datasets=datasets,
        preset=preset,
        seeds=seeds,
        add_arguments=lambda p: _add_search_flags(p, num_samples, grace_period),
        axis_flags=(),
        argv=argv,
        searched=space,
    )
    if args.num_samples < 1:
        raise GwinError(f"--num-samples must be >= 1, got {args.num_samples}")
    for key, spec in space.items():  # every corner of the space must be a valid config
        for value in _corners(spec):
            config_from({**plan.params()[0], key: value})
    for point in start_points or []:
        if set(point) != set(space):
            raise GwinError(f"a start point must set exactly {sorted(space)}, got {sorted(point)}")
        config_from({**plan.params()[0], **point})
    iterations, grace = _horizon(args, config_from(plan.params()[0]), space)  # bad flags fail here
    preflight(args)
    study = study_paths(args)
    if args.dry_run:
        print(
            f"study {args.name}: per dataset ({', '.join(args.datasets)}), "
            f"{args.num_samples} Optuna samples (TPE seed {args.sampler_seed}, trial seed "
            f"{args.search_seed}) over "
            + ", ".join(f"{k} {v}" for k, v in space.items())
            + f", then the best over seeds {plan.axes['seed']}"
        )
        print(
            f"every trial: preset {args.preset}"
            + "".join(f", {k}={v}" for k, v in plan.base.items() if k != "preset")
        )
        print(
            f"ASHA on validation: first rung at {grace} of {iterations} iterations, "
            f"reduction factor {args.reduction_factor:g}"
        )
        print(resources_line(args, args.num_samples))
        print(f"storage: {study.location}")
        return EXIT_OK
    with owned_study(args) as (study, lease):
        search_plan = {
            "search": {
                "space": space,
                "start_points": start_points or [],
                "base": plan.base,
                "datasets": args.datasets,
                "seeds": plan.axes["seed"],
                "num_samples": args.num_samples,
                "sampler_seed": args.sampler_seed,
                "search_seed": args.search_seed,
                "reduction_factor": args.reduction_factor,
                # only when set: studies planned before the flag existed still resume
                **({"grace_period": args.grace_period} if args.grace_period else {}),
            }
        }
        check_same_plan(study, search_plan, args)
        grids, left = [], 0
        with ray_session(args, lease):
            write_plan(study, search_plan, argv, args.settings)
            say(
                f"study {args.name}: per dataset ({', '.join(args.datasets)}), "
                f"{args.num_samples} Optuna samples, then the best over "
                f"{len(plan.axes['seed'])} seeds"
            )
            for dataset in args.datasets:
                base = {**plan.base, "dataset": dataset}
                search_space = {
                    **base,
                    "seed": args.search_seed,
                    **{k: _domain(s) for k, s in space.items()},
                }
                cfg = config_from({**base, "seed": args.search_seed})
                grid = run_tune(
                    study,
                    f"search-{dataset}",
                    search_space,
                    args,
                    fields=list(space),
                    config=_search_config(args, cfg, space, start_points),
                    total=args.num_samples,
                )
                grids.append(grid)
                left = unfinished(grid, args.num_samples)
                if left:
                    break
                chosen, score = best_params(grid, list(space))
                write_json(
                    study.fs,
                    study.path("best", f"{dataset}.json"),
                    {"dataset": dataset, "params": chosen, METRIC: score},
                )
                say(f"{dataset}: best {METRIC} = {score:.3f} with {chosen}")
                best = Plan({**base, **chosen}, {"seed": plan.axes["seed"]})
                wanted = {c.trial_key() for c in best.configs()}
                best_run = run_tune(
                    study,
                    f"best-{dataset}",
                    best.param_space(),
                    args,
                    fields=["seed"],
                    total=len(wanted),
                )
                grids.append(best_run)
                left = len(wanted - done_ids(study))
                if left:
                    break
            return summarize(study, grids, left, started, argv)


__all__ = ["METRIC", "best_params", "search_main"]
