"""End-to-end `smoke` trials on digits: numbers in range, consistent, deterministic, cached."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from gwin.faults import Faults
from gwin.method.rejection import REPORT_TAU
from gwin.metrics.sweep import tau_sweep
from gwin.models.classifiers import BAYESIAN
from gwin.names import CLASSIFIERS
from gwin.store.schema import PREDICTION_COLUMNS
from gwin.trial import run_trial

pytestmark = pytest.mark.slow


def test_predictions_cover_every_split_and_corruption(tiny_trial, tiny_cfg):
    p = tiny_trial.predictions
    assert list(p.columns) == PREDICTION_COLUMNS
    sizes = p.groupby(["split", "corruption"]).size().to_dict()
    assert sizes == {
        ("val", "none"): 300,
        ("test", "none"): 300,
        **{("test", c): 300 for c in tiny_cfg.corruptions},
    }
    for split, group in p.groupby(["split", "corruption"]):
        assert group["index"].tolist() == list(range(300)), split
    for col in ("bnn_certainty", "bnn_gt_certainty", "gwin_certainty", "gwin_gt_certainty"):
        assert p[col].between(0, 1).all(), col
    for col in ("label", "bnn_pred", "gwin_pred"):
        assert p[col].between(0, 9).all(), col
    # C's certainty in its own prediction is at least its certainty in any other class's median
    # draw only on average; but where C is right, the two certainties are the same number.
    right = p[p["bnn_pred"] == p["label"]]
    assert np.allclose(right["bnn_certainty"], right["bnn_gt_certainty"])


def test_sweep_is_consistent(tiny_trial):
    sweep = tiny_trial.sweep("test")
    assert sweep["pct_reject"].is_monotonic_increasing
    assert sweep["pct_reject"].between(0, 100).all()
    defined = sweep.dropna(subset=["rejected_acc_delta"])
    expected = defined["pct_reject"] * defined["rejected_acc_delta"] / 100
    assert np.allclose(defined["overall_acc_delta"], expected, atol=1e-9)
    assert np.allclose(sweep["gwin_acc"] - sweep["bnn_acc"], sweep["overall_acc_delta"])
    # The classifier learned something: far above chance on digits.
    assert sweep["bnn_acc"].iloc[0] > 50


def test_record_is_a_complete_trials_row(tiny_trial, tiny_cfg):
    r = tiny_trial.record
    assert r["trial_id"] == tiny_cfg.trial_key() and r["status"] == "ok"
    assert (r["dataset"], r["seed"], r["preset"]) == ("digits", 0, "smoke")
    assert r["lambda_loss"] == tiny_cfg.lambda_loss and r["tau_star"] == tiny_cfg.tau_star
    assert 0 < r["n_confident"] <= r["n_train"] == 1197
    assert json.loads(r["taus"]) == list(tiny_cfg.taus)
    assert json.loads(r["config_json"])["iterations"] == 12
    for stage in ("data", "classifier", "confident", "gwin", "eval", "total"):
        assert r[f"seconds_{stage}"] >= 0
    assert r["test_bnn_acc"] == pytest.approx(tiny_trial.sweep("test")["bnn_acc"].iloc[0])
    # the paired counts are the rejected delta, input by input
    n_rejected = tiny_trial.sweep("test").set_index("tau").loc[0.8, "n_rejected"]
    assert n_rejected > 0
    delta = 100 * (r["test_fixed"] - r["test_broken"]) / n_rejected
    assert r["test_rejected_acc_delta"] == pytest.approx(delta)
    assert 0 < r["test_mcnemar_p"] <= 1
    # where it ran is part of the record, for a trial run outside Ray too (issue 35)
    assert r["device"] == "cpu" and r["worker_threads"] == torch.get_num_threads()
    assert r["worker_interop_threads"] == torch.get_num_interop_threads()


def test_identity_baseline_is_c_redrawn_on_the_unchanged_input(tiny_trial):
    p = tiny_trial.predictions
    test = p[(p["split"] == "test") & (p["corruption"] == "none")]
    # Fresh draws of C on x: on inputs C is sure of, the label nearly never changes; on the
    # rejected ones it does change sometimes (the noise the baseline measures).
    sure = test[test["bnn_certainty"] >= 0.95]
    assert len(sure) > 50 and (sure["identity_pred"] == sure["bnn_pred"]).mean() > 0.97
    unsure = test[test["bnn_certainty"] < 0.5]
    assert (unsure["identity_pred"] != unsure["bnn_pred"]).any()
    assert test["identity_certainty"].between(0, 1).all()
    # The record's numbers are the sweep's, and the paired counts add up to them.
    r, row = tiny_trial.record, tiny_trial.sweep("test").set_index("tau").loc[REPORT_TAU]
    assert r["test_gain_over_identity"] == pytest.approx(row["gain_over_identity"])
    delta = 100 * (r["test_vs_identity_fixed"] - r["test_vs_identity_broken"]) / row["n_rejected"]
    assert r["test_gain_over_identity"] == pytest.approx(delta)
    delta = 100 * (r["test_identity_fixed"] - r["test_identity_broken"]) / row["n_rejected"]
    assert r["test_identity_rejected_acc_delta"] == pytest.approx(delta)


def test_history_reports_validation_metrics(tiny_trial):
    its = [h["iteration"] for h in tiny_trial.history]
    assert its == [6, 12]
    assert all(-100 <= h["val_overall_acc_delta"] <= 100 for h in tiny_trial.history)


def test_examples_are_rejected_and_misclassified_test_inputs(tiny_trial, tiny_cfg):
    # Figure 2's caption: inputs rejected at tau = 0.8 that C would have labelled wrongly.
    ex, p = tiny_trial.examples, tiny_trial.predictions
    test = p[(p["split"] == "test") & (p["corruption"] == "none")]
    wanted = test[(test["bnn_certainty"] < REPORT_TAU) & (test["bnn_pred"] != test["label"])]
    assert len(wanted) >= tiny_cfg.n_examples  # the smoke classifier errs often enough
    assert ex["index"].tolist() == wanted["index"].head(tiny_cfg.n_examples).tolist()
    assert (ex["bnn_pred"] != ex["label"]).all() and (ex["bnn_certainty"] < REPORT_TAU).all()
    assert all(len(img) == 784 and 0 <= min(img) and max(img) <= 1 for img in ex["transformed"])


def test_same_config_twice_gives_identical_predictions(tiny_trial, tiny_cfg):
    again = run_trial(tiny_cfg)  # classifier and P_c now come from the cache
    assert again.record["classifier_cache_hit"] and not tiny_trial.record["classifier_cache_hit"]
    pd.testing.assert_frame_equal(again.predictions, tiny_trial.predictions)


def test_cache_hit_gives_the_same_classifier_as_training(tiny_trial, tiny_cfg, tmp_path):
    # A different GWIN setting reuses C; a fresh cache retrains C identically (stage seeding).
    other = run_trial(
        tiny_cfg.replace(
            lambda_loss=0.0, iterations=2, eval_every=0, checkpoint_every=0, corruptions=()
        )
    )
    assert other.record["classifier_cache_hit"] and other.record["confident_cache_hit"]
    fresh = run_trial(
        tiny_cfg.replace(
            cache_dir=str(tmp_path), iterations=2, eval_every=0, checkpoint_every=0, corruptions=()
        )
    )
    assert not fresh.record["classifier_cache_hit"]
    assert fresh.record["n_confident"] == tiny_trial.record["n_confident"]
    cols = ["bnn_pred", "bnn_certainty"]
    a = fresh.predictions.query("split == 'test'")[cols].reset_index(drop=True)
    b = tiny_trial.predictions.query("split == 'test' and corruption == 'none'")[cols]
    pd.testing.assert_frame_equal(a, b.reset_index(drop=True))


def test_sweep_from_stored_predictions_matches(tiny_trial):
    p = tiny_trial.predictions
    clean = p[(p["split"] == "test") & (p["corruption"] == "none")]
    pd.testing.assert_frame_equal(tau_sweep(clean), tiny_trial.sweep("test"))


def test_a_diverging_generator_stops_the_trial_with_the_loss_and_iteration(tiny_cfg):
    from gwin.errors import TrialDiverged

    # NaN weights after iteration 3: the first loss of iteration 4 (the critic's) is NaN
    with pytest.raises(TrialDiverged, match=r"^critic loss is NaN at iteration 4; the run"):
        run_trial(tiny_cfg, faults=Faults(poison_generator="3"))


@pytest.mark.parametrize("name", [c for c in CLASSIFIERS if c not in BAYESIAN])  # a new one too
def test_every_classifier_variant_runs_a_smoke_trial(tiny_cfg, name):
    result = run_trial(tiny_cfg.replace(classifier=name, corruptions=(), ensemble_size=3))
    r = result.record
    assert (r["status"], r["classifier"]) == ("ok", name)
    assert result.sweep("test")["bnn_acc"].iloc[0] > 50  # far above chance on digits
    assert 0 <= r["test_ece"] <= 1 and 0 < r["test_nll"] < 2.3  # below chance's log(10)
    p = result.predictions
    same = (p["identity_pred"] == p["bnn_pred"]).all() and (
        p["identity_certainty"] == p["bnn_certainty"]
    ).all()
    # fresh draws of an ensemble or a softmax net are the same draws: the identity baseline
    # is then exactly C; MC dropout's fresh masks give another verdict on some inputs
    assert same == (name != "lenet5_dropout")


def test_calibration_columns_of_the_trials_row(tiny_trial):
    r = tiny_trial.record
    for split in ("val", "test"):
        assert 0 <= r[f"{split}_ece"] <= 1 and r[f"{split}_nll"] > 0
