"""The tau sweep against values worked out by hand."""

import math

import pandas as pd
import pytest

from gwin.metrics.sweep import SWEEP_COLUMNS, certainty_change, sweep_by, tau_sweep
from tests.fresh_import import loaded_by

# 5 inputs. BNN right on 0, 1, 2; wrong on 3, 4. GWIN right on 0, 3; wrong on 1, 2, 4.
# Identity (C re-drawn on x) right on 0, 1, 3; wrong on 2, 4.
TABLE = pd.DataFrame(
    {
        "label": [0, 1, 2, 3, 4],
        "bnn_pred": [0, 1, 2, 9, 9],
        "bnn_certainty": [0.99, 0.40, 0.85, 0.30, 0.60],
        "bnn_gt_certainty": [0.99, 0.40, 0.85, 0.10, 0.20],
        "gwin_pred": [0, 7, 7, 3, 8],
        "gwin_gt_certainty": [0.90, 0.30, 0.50, 0.80, 0.25],
        "identity_pred": [0, 1, 9, 3, 9],
    }
)


def row(tau):
    return tau_sweep(TABLE, [tau]).iloc[0]


def test_columns_are_the_design_columns():
    assert list(tau_sweep(TABLE, [0.5]).columns) == SWEEP_COLUMNS


def test_tau_0_5_by_hand():
    # R = {c < 0.5} = inputs 1 (0.40) and 3 (0.30). BNN right on 1, GWIN right on 3.
    r = row(0.5)
    assert r["n"] == 5 and r["n_rejected"] == 2
    assert r["pct_reject"] == pytest.approx(40.0)
    assert r["bnn_acc_rejected"] == pytest.approx(50.0)
    assert r["gwin_acc_rejected"] == pytest.approx(50.0)
    assert r["rejected_acc_delta"] == pytest.approx(0.0)
    assert r["bnn_acc"] == pytest.approx(60.0)
    assert r["gwin_acc"] == pytest.approx(60.0)
    assert r["overall_acc_delta"] == pytest.approx(0.0)
    assert r["error_delta_pct"] == pytest.approx(0.0)


def test_identity_baseline_by_hand():
    # tau 0.5: R = {1, 3}; identity right on both (100%), BNN on 1 (50%), GWIN on 3 (50%).
    r = row(0.5)
    assert r["identity_acc_rejected"] == pytest.approx(100.0)
    assert r["identity_rejected_acc_delta"] == pytest.approx(50.0)
    assert r["gain_over_identity"] == pytest.approx(-50.0)
    # tau 0.9: R = {1, 2, 3, 4}; identity right on 1, 3 (50%), GWIN on 3 (25%), BNN 50%.
    r = row(0.9)
    assert r["identity_acc_rejected"] == pytest.approx(50.0)
    assert r["identity_rejected_acc_delta"] == pytest.approx(0.0)
    assert r["gain_over_identity"] == pytest.approx(-25.0)
    # An empty R leaves them undefined; predictions without the column give NaN, not an error.
    assert math.isnan(row(0.1)["gain_over_identity"])
    old = tau_sweep(TABLE.drop(columns="identity_pred"), [0.9]).iloc[0]
    assert math.isnan(old["identity_acc_rejected"]) and old["gwin_acc_rejected"] == 25.0


def test_tau_0_7_by_hand():
    # R = {1, 3, 4}: BNN right on 1 only (1/3); GWIN right on 3 only (1/3).
    r = row(0.7)
    assert r["pct_reject"] == pytest.approx(60.0)
    assert r["bnn_acc_rejected"] == pytest.approx(100 / 3)
    assert r["gwin_acc_rejected"] == pytest.approx(100 / 3)


def test_tau_0_9_by_hand():
    # R = {1, 2, 3, 4}: BNN right on 1, 2 (50%); GWIN right on 3 (25%).
    # After: correct = {0, 3} -> 40%; before 60%. Errors 2 -> 3: +50%.
    r = row(0.9)
    assert r["n_rejected"] == 4
    assert r["bnn_acc_rejected"] == pytest.approx(50.0)
    assert r["gwin_acc_rejected"] == pytest.approx(25.0)
    assert r["rejected_acc_delta"] == pytest.approx(-25.0)
    assert r["gwin_acc"] == pytest.approx(40.0)
    assert r["overall_acc_delta"] == pytest.approx(-20.0)
    assert r["error_delta_pct"] == pytest.approx(50.0)


def test_tau_zero_rejects_nothing():
    r = row(0.0)
    assert r["n_rejected"] == 0 and r["pct_reject"] == 0.0
    assert math.isnan(r["bnn_acc_rejected"]) and math.isnan(r["gwin_acc_rejected"])
    assert math.isnan(r["rejected_acc_delta"])
    assert r["overall_acc_delta"] == 0.0 and r["error_delta_pct"] == 0.0
    assert r["gwin_acc"] == r["bnn_acc"] == pytest.approx(60.0)


def test_tau_one_rejects_everything_below_certainty_one():
    # All certainties are < 1: everything is relabelled by the GWIN (GWIN-only accuracy 40%).
    r = row(1.0)
    assert r["n_rejected"] == 5
    assert r["gwin_acc"] == pytest.approx(40.0) == r["gwin_acc_rejected"]


def test_certainty_exactly_tau_is_kept():
    # r(c, y') keeps y' when c >= tau: input 2 (0.85) is kept at tau = 0.85.
    assert row(0.85)["n_rejected"] == 3


def test_perfect_classifier_has_undefined_error_change():
    perfect = TABLE.assign(bnn_pred=TABLE["label"])
    assert math.isnan(tau_sweep(perfect, [0.5]).iloc[0]["error_delta_pct"])


def test_overall_delta_is_reject_fraction_times_rejected_delta():
    sweep = tau_sweep(TABLE, [0.1, 0.35, 0.5, 0.7, 0.9, 1.0]).dropna()
    expected = sweep["pct_reject"] * sweep["rejected_acc_delta"] / 100
    assert (sweep["overall_acc_delta"] - expected).abs().max() < 1e-9


def test_sweep_by_groups_and_keeps_keys():
    two = pd.concat(
        [TABLE.assign(trial_id="a"), TABLE.assign(trial_id="b", gwin_pred=TABLE["label"])]
    )
    out = sweep_by(two, ["trial_id"], [0.9])
    assert list(out["trial_id"]) == ["a", "b"]
    assert out["gwin_acc"].tolist() == pytest.approx([40.0, 100.0])


def test_certainty_change_on_rejected_inputs():
    # tau 0.5 rejects inputs 1 and 3: 0.30 - 0.40 and 0.80 - 0.10.
    assert certainty_change(TABLE, 0.5).tolist() == pytest.approx([-0.10, 0.70])


def test_metrics_and_results_readers_import_neither_torch_nor_the_config():
    """Analysis of stored results must not pay for torch (seconds, GBs) or depend on trials."""
    readers = ["gwin.metrics.sweep", "gwin.metrics.paired", "gwin.metrics.selective"]
    assert loaded_by([*readers, "gwin.store.reader"], ["torch", "gwin.config"]) == []
