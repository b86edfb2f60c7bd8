"""Accept / translate / abstain: operating points, curves and AURC against values by hand."""

import math

import pytest

from gwin.metrics.selective import risk_coverage
from gwin.metrics.three_way import operating_point, three_way_aurc, three_way_curve

# five inputs: C's certainty c and correctness, the translation's certainty g and correctness
C = [0.9, 0.8, 0.6, 0.4, 0.3]
BNN_OK = [True, False, True, False, False]
G = [0.1, 0.1, 0.7, 0.9, 0.5]
GWIN_OK = [False, False, False, True, True]


def _frame():
    import pandas as pd

    return pd.DataFrame(
        {
            "label": [1] * 5,
            "bnn_pred": [1 if ok else 0 for ok in BNN_OK],
            "bnn_certainty": C,
            "gwin_pred": [1 if ok else 0 for ok in GWIN_OK],
            "gwin_certainty": G,
        }
    )


def test_operating_point_by_hand():
    # tau 0.7 accepts inputs 0, 1; sigma 0.6 translates 2 (g 0.7) and 3 (g 0.9); 4 abstains.
    # answered right: 0 (C) and 3 (C(G)); wrong: 1 (C), 2 (C(G)) -> 2 of 4
    point = operating_point(C, BNN_OK, G, GWIN_OK, tau=0.7, sigma=0.6)
    assert point == {
        "accepted": 2,
        "translated": 2,
        "abstained": 1,
        "coverage": 0.8,
        "accuracy": 50.0,
    }
    none = operating_point(C, BNN_OK, G, GWIN_OK, tau=1.0, sigma=1.0)
    assert none["abstained"] == 5 and none["coverage"] == 0.0
    assert math.isnan(none["accuracy"])  # nothing answered


def test_three_way_curve_by_hand():
    curve = three_way_curve(C, BNN_OK, G, GWIN_OK, tau=0.7)
    # accept stage: t = 0.9 (1 answered, 0 wrong), t = 0.8 (2, 1 wrong);
    # translate stage over the rejected g in decreasing order: 0.9 (input 3, right),
    # 0.7 (input 2, wrong), 0.5 (input 4, right)
    assert curve["stage"].tolist() == ["accept"] * 2 + ["translate"] * 3
    assert curve["threshold"].tolist() == [0.9, 0.8, 0.9, 0.7, 0.5]
    assert curve["n_answered"].tolist() == [1, 2, 3, 4, 5]
    assert curve["risk"].tolist() == pytest.approx([0, 1 / 2, 1 / 3, 2 / 4, 2 / 5])


def test_aurc_of_the_three_systems_by_hand():
    out = three_way_aurc(_frame(), tau=0.7)
    # each point adds 0.2 coverage: three-way 0.2 * (0 + 1/2 + 1/3 + 1/2 + 2/5) = 34.667 %;
    # BNN w/ reject (c order): risks 0, 1/2, 1/3, 2/4, 3/5 -> 0.2 * 1.9333 = 38.667 %;
    # BNN alone: 3 errors of 5 = 60 %
    assert out["three_way_aurc"] == pytest.approx(100 * 0.2 * (0 + 1 / 2 + 1 / 3 + 1 / 2 + 2 / 5))
    assert out["bnn_reject_aurc"] == pytest.approx(100 * 0.2 * (0 + 1 / 2 + 1 / 3 + 1 / 2 + 3 / 5))
    assert out["bnn_alone_aurc"] == pytest.approx(60.0)


def test_tau_zero_accepts_everything_and_is_bnn_with_reject():
    curve = three_way_curve(C, BNN_OK, G, GWIN_OK, tau=0.0)
    plain = risk_coverage(C, BNN_OK)
    assert (curve["stage"] == "accept").all()
    assert curve["risk"].tolist() == pytest.approx(plain["risk"].tolist())
    assert curve["coverage"].tolist() == pytest.approx(plain["coverage"].tolist())


def test_tau_above_every_certainty_is_translation_only():
    curve = three_way_curve(C, BNN_OK, G, GWIN_OK, tau=1.0)
    # g in decreasing order 0.9 (right), 0.7 (wrong), 0.5 (right), 0.1 (inputs 0, 1: wrong)
    assert (curve["stage"] == "translate").all()
    assert curve["n_answered"].tolist() == [1, 2, 3, 5]
    assert curve["risk"].tolist() == pytest.approx([0, 1 / 2, 1 / 3, 3 / 5])
