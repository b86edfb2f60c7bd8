"""Risk-coverage curves and AURC against hand-computed values."""

import numpy as np
import pandas as pd
import pytest

from gwin.errors import GwinError
from gwin.metrics.selective import (
    aurc,
    curves,
    gwin_aurc,
    gwin_risk_coverage,
    risk_coverage,
    selective_by,
)


def test_risk_coverage_with_ties_accepts_tied_inputs_together():
    # thresholds 0.9, 0.8 (two inputs, one wrong), 0.6 (wrong), 0.3
    curve = risk_coverage([0.9, 0.8, 0.8, 0.6, 0.3], [1, 1, 0, 0, 1])
    assert curve["threshold"].tolist() == [0.9, 0.8, 0.6, 0.3]
    assert curve["n_accepted"].tolist() == [1, 3, 4, 5]
    np.testing.assert_allclose(curve["coverage"], [0.2, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(curve["risk"], [0.0, 1 / 3, 0.5, 0.4])
    # 0.2 * 0 + 0.4 * 1/3 + 0.2 * 0.5 + 0.2 * 0.4
    assert aurc([0.9, 0.8, 0.8, 0.6, 0.3], [1, 1, 0, 0, 1]) == pytest.approx(0.31333333)


def test_aurc_without_ties_is_mean_risk_of_top_k():
    certainty, correct = [0.2, 0.9, 0.5, 0.7], [0, 1, 1, 0]  # order unsorted on purpose
    # sorted by certainty: correct 1, 0, 1, 0 -> risks of the top k: 0, 1/2, 1/3, 1/2
    assert aurc(certainty, correct) == pytest.approx((0 + 1 / 2 + 1 / 3 + 1 / 2) / 4)


def test_perfect_and_useless_classifiers():
    assert aurc([0.1, 0.5, 0.9], [1, 1, 1]) == 0.0
    assert aurc([0.1, 0.5, 0.9], [0, 0, 0]) == pytest.approx(1.0)


def test_gwin_second_chance_curve_by_hand():
    c, bnn_ok = [0.9, 0.4, 0.3, 0.2], [1, 0, 0, 1]
    g, gwin_ok = [0.5, 0.95, 0.1, 0.6], [0, 1, 1, 0]
    curve = gwin_risk_coverage(c, bnn_ok, g, gwin_ok)
    # t=0.95: only input 1, via G, right. t=0.9: + input 0 via C, right.
    # t=0.6 and 0.5: + input 3 via G (wrong). t=0.4: input 1 now answered by C (wrong).
    # t=0.3: + input 2 via C (wrong). t=0.2, 0.1: input 3 now answered by C (right).
    assert curve["threshold"].tolist() == [0.95, 0.9, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    assert curve["n_accepted"].tolist() == [1, 2, 3, 3, 3, 4, 4, 4]
    np.testing.assert_allclose(curve["risk"], [0, 0, 1 / 3, 1 / 3, 2 / 3, 3 / 4, 1 / 2, 1 / 2])
    # widths 0.25, 0.25, 0.25 (at t=0.6), 0.25 (at t=0.3); equal-coverage points add nothing
    assert gwin_aurc(c, bnn_ok, g, gwin_ok) == pytest.approx(0.25 * 1 / 3 + 0.25 * 3 / 4)
    # at the lowest threshold both systems answer everything with C's labels
    assert curve["risk"].iloc[-1] == risk_coverage(c, bnn_ok)["risk"].iloc[-1]


def test_gwin_curve_matches_brute_force_rule_and_covers_at_least_the_bnn():
    rng = np.random.default_rng(1)
    c, g = rng.uniform(size=60).round(2), rng.uniform(size=60).round(2)  # rounding makes ties
    bnn_ok, gwin_ok = rng.uniform(size=60) < c, rng.uniform(size=60) < g
    curve = gwin_risk_coverage(c, bnn_ok, g, gwin_ok)
    for t, n, risk in zip(curve["threshold"], curve["n_accepted"], curve["risk"], strict=True):
        by_c, by_g = c >= t, (c < t) & (g >= t)  # the rejection rule applied twice
        assert n == (by_c | by_g).sum()
        assert risk == pytest.approx(((by_c & ~bnn_ok) | (by_g & ~gwin_ok)).sum() / n)
        assert n >= (c >= t).sum()
    assert curve["coverage"].is_monotonic_increasing


def test_selective_by_and_curves_on_predictions():
    frame = pd.DataFrame(
        {
            "trial_id": ["a"] * 4 + ["b"] * 2,
            "label": [1, 1, 1, 1, 0, 0],
            "bnn_pred": [1, 0, 0, 1, 0, 1],
            "bnn_certainty": [0.9, 0.4, 0.3, 0.2, 0.9, 0.1],
            "gwin_pred": [0, 1, 1, 0, 0, 0],
            "gwin_certainty": [0.5, 0.95, 0.1, 0.6, 0.2, 0.3],
        }
    )
    table = selective_by(frame, ["trial_id"])
    a = table.set_index("trial_id").loc["a"]
    assert a["bnn_aurc"] == pytest.approx(100 * aurc([0.9, 0.4, 0.3, 0.2], [1, 0, 0, 1]))
    assert a["gwin_aurc"] == pytest.approx(100 * (0.25 / 3 + 0.25 * 3 / 4))
    assert a["aurc_delta"] == pytest.approx(a["gwin_aurc"] - a["bnn_aurc"])
    both = curves(frame[frame["trial_id"] == "b"])
    assert set(both["method"]) == {"BNN w/ reject", "BNN+GWIN w/ reject"}


def test_bad_input_is_one_clear_error():
    with pytest.raises(GwinError, match="same length"):
        risk_coverage([0.1, 0.2], [1])
    with pytest.raises(GwinError, match="empty"):
        aurc([], [])
