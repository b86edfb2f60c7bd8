"""Harm (inputs the BNN labelled right and BNN+GWIN wrong, on the rejected set) by hand."""

import math

import pandas as pd

from gwin.metrics.harm import HARM_COLUMNS, harm_sweep

# six inputs; label 1 everywhere. certainty 0.2, 0.4, 0.6, 0.7, 0.9, 0.95
FRAME = pd.DataFrame(
    {
        "label": [1, 1, 1, 1, 1, 1],
        "bnn_certainty": [0.2, 0.4, 0.6, 0.7, 0.9, 0.95],
        "bnn_pred": [1, 1, 0, 1, 1, 1],
        "gwin_pred": [0, 1, 1, 0, 0, 1],
        "identity_pred": [1, 0, 0, 1, 1, 1],
    }
)


def test_harm_rate_per_tau_by_hand():
    out = harm_sweep(FRAME, [0.1, 0.5, 0.8, 1.0]).set_index("tau")
    assert list(out.reset_index().columns) == HARM_COLUMNS
    # tau 0.1: nothing rejected: rates undefined, counts 0
    assert out.loc[0.1, "n_rejected"] == 0 and out.loc[0.1, "broken"] == 0
    assert math.isnan(out.loc[0.1, "harm_pct"]) and math.isnan(out.loc[0.1, "identity_harm_pct"])
    # tau 0.5: R = inputs 0, 1; BNN right on both; GWIN wrong on 0 -> 1 broken of 2 = 50 %;
    # identity wrong on 1 -> 1 broken, 50 %
    assert out.loc[0.5, ["n_rejected", "broken", "harm_pct"]].tolist() == [2, 1, 50.0]
    assert out.loc[0.5, ["identity_broken", "identity_harm_pct"]].tolist() == [1, 50.0]
    # tau 0.8: R = inputs 0-3; input 2 the BNN had wrong (GWIN fixing it is no harm);
    # GWIN breaks 0 and 3 -> 2 of 4 = 50 %; identity breaks 1 -> 1 of 4 = 25 %
    assert out.loc[0.8, ["n_rejected", "broken", "harm_pct"]].tolist() == [4, 2, 50.0]
    assert out.loc[0.8, ["identity_broken", "identity_harm_pct"]].tolist() == [1, 25.0]
    # tau 1.0: all six rejected; GWIN breaks 0, 3, 4 -> 3 of 6 = 50 %; identity 1 of 6
    assert out.loc[1.0, ["broken", "harm_pct"]].tolist() == [3, 50.0]
    assert out.loc[1.0, "identity_harm_pct"] == 100 / 6


def test_without_identity_columns_the_baseline_is_undefined():
    out = harm_sweep(FRAME.drop(columns="identity_pred"), [1.0])
    assert out.loc[0, "broken"] == 3 and math.isnan(out.loc[0, "identity_harm_pct"])
