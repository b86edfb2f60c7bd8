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
