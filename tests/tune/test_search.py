"""The search study's pieces that need no Ray: spec checks and choosing the best trial."""

from types import SimpleNamespace

import pytest

from gwin.errors import GwinError
from gwin.tune.search import METRIC, _corners, best_params


def test_search_specs_are_checked():
    assert _corners(("loguniform", 0.1, 100.0)) == [0.1, 100.0]
    assert _corners(("int", 1, 5)) == [1, 5]
    assert _corners(("choice", [8, 16])) == [8, 16]
    for bad in [("loguniform", 0.0, 1.0), ("uniform", 2.0, 1.0), ("choice", []), ("normal", 0, 1)]:
        with pytest.raises(GwinError):
            _corners(bad)


def result(score, lam, finished=True, error=None):
    metrics = {METRIC: score, **({"trial_key": "x"} if finished else {})}
    return SimpleNamespace(metrics=metrics, config={"lambda_loss": lam, "seed": 0}, error=error)


def test_the_best_finished_trial_wins_over_stopped_or_failed_ones():
    grid = [result(1.0, 0.1), result(3.0, 10.0), result(9.0, 1.0, finished=False),
            result(99.0, 5.0, error=RuntimeError("x"))]  # fmt: skip
    assert best_params(grid, ["lambda_loss"]) == ({"lambda_loss": 10.0}, 3.0)
    # when ASHA stopped everything, the best subset score decides
    assert best_params([result(2.0, 0.1, False), result(4.0, 1.0, False)], ["lambda_loss"]) == (
        {"lambda_loss": 1.0}, 4.0)  # fmt: skip
    with pytest.raises(GwinError):
        best_params([result(1.0, 0.1, error=RuntimeError("x"))], ["lambda_loss"])


def _rungs(argv: list[str], space: dict) -> list[int]:
    import argparse

    from gwin.config import TrialConfig
    from gwin.tune.search import _add_search_flags, _search_config

    parser = argparse.ArgumentParser()
    parser.add_argument("--max-concurrent", type=int, default=1)
    _add_search_flags(parser, num_samples=4, grace_period=None)
    args = parser.parse_args(argv)
    cfg = TrialConfig.from_preset("cpu", eval_every=500)
    scheduler = _search_config(args, cfg, space, start_points=None).scheduler
    return sorted(milestone for milestone, _ in scheduler._brackets[0]._rungs)


def test_the_grace_period_keeps_asha_from_stopping_slow_starters():
    space = {"iterations": ("choice", [4000, 8000])}
    # by default the first rung is the first validation: 500 iterations, where a GWIN whose
    # gain needs budget still trails the identity (docs/fidelity.md)
    assert _rungs([], space) == [500, 1500, 4500]
    assert _rungs(["--grace-period", "3000"], space) == [3000]
    for bad in ("0", "8000"):
        with pytest.raises(GwinError, match="--grace-period must be between 1 and 7999"):
            _rungs(["--grace-period", bad], space)
