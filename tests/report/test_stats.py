"""Per-trial sweeps and mean +- std over seeds against hand-computed values."""

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gwin.config import TrialConfig
from gwin.errors import GwinError
from gwin.method.rejection import DEFAULT_TAUS
from gwin.report import stats
from gwin.store.index import rebuild_index
from gwin.store.location import Folder
from gwin.store.reader import load_results, write_parquet
from gwin.store.trial_outputs import record_error, trial_folder, write_trial
from gwin.store.trials_table import config_values


def record(trial_id, status="ok", **overrides):
    # 0.15 and 0.42 beside the defaults: the hand-worked cases below use them
    cfg = TrialConfig.from_preset("smoke", taus=(0.15, *DEFAULT_TAUS), **overrides)
    return {
        "trial_id": trial_id,
        "study": "hand",
        **config_values(cfg),
        "corruptions": json.dumps([]),
        "n_confident": 10,
        "classifier_cache_hit": False,
        "status": status,
        "error": "" if status == "ok" else "RuntimeError: boom\ntraceback...",
    }


def predictions(trial_id, certainty, bnn_ok, gwin_ok, split="test"):
    n = len(certainty)
    label = np.zeros(n, dtype=np.int64)
    return pd.DataFrame(
        {
            "trial_id": trial_id,
            "split": split,
            "corruption": "none",
            "index": np.arange(n),
            "label": label,
            "bnn_pred": np.where(bnn_ok, 0, 1),
            "bnn_certainty": certainty,
            "bnn_gt_certainty": certainty,
            "gwin_pred": np.where(gwin_ok, 0, 1),
            "gwin_certainty": np.full(n, 0.99),
            "gwin_gt_certainty": np.full(n, 0.99),
            "identity_pred": np.where(bnn_ok, 0, 1),  # C re-drawn agrees with C here
            "identity_certainty": certainty,
            "identity_gt_certainty": certainty,
        }
    )


@pytest.fixture
def hand_results(tmp_path):
    """Trials A, B (lambda 10, seeds 0 and 1) and C (lambda 1, one seed), plus one failed."""
    trials = pd.DataFrame(
        [
            record("A", seed=0, lambda_loss=10.0),
            record("B", seed=1, lambda_loss=10.0),
            record("C", seed=0, lambda_loss=1.0),
            record("X", status="error", seed=2),
        ]
    )
    preds = pd.concat(
        [
            predictions("A", [0.9, 0.8, 0.4, 0.3], [1, 1, 0, 1], [1, 1, 1, 1]),
            predictions("B", [0.9, 0.6, 0.45, 0.2], [1, 0, 0, 0], [0, 0, 1, 0]),
            predictions("C", [0.9, 0.8, 0.7, 0.1], [1, 1, 1, 0], [1, 1, 1, 1]),
            predictions("A", [0.1, 0.1], [0, 0], [0, 0], split="val"),
        ],
        ignore_index=True,
    )
    study = Folder.at(tmp_path / "hand")
    for row in trials.to_dict("records"):
        if row["status"] != "ok":
            record_error(study, row)
            continue
        mine = preds[preds["trial_id"] == row["trial_id"]].reset_index(drop=True)
        result = SimpleNamespace(record=row, predictions=mine, examples=pd.DataFrame())
        write_trial(trial_folder(study, row["trial_id"]), result)
    rebuild_index(study)
    return load_results(study.location)


def test_load_keeps_ok_trials_and_notes_missing_examples(hand_results):
    assert sorted(hand_results.trials["trial_id"]) == ["A", "B", "C"]
    assert hand_results.failed["trial_id"].tolist() == ["X"]
    assert hand_results.examples().empty
    assert stats.swept_columns(hand_results.trials) == ["lambda_loss"]


def test_trial_sweep_by_hand(hand_results):
    sweeps = stats.at_tau(stats.trial_sweeps(hand_results, taus=[0.5]), 0.5).set_index("trial_id")
    a, b = sweeps.loc["A"], sweeps.loc["B"]
    assert a["lambda_loss"] == 10.0 and a["seed"] == 0  # config columns joined
    # A: rejected {2, 3}; C right on 1 of 2, G on both; accepted {0, 1} both right
    assert (a["pct_reject"], a["bnn_acc_rejected"], a["gwin_acc_rejected"]) == (50, 50, 100)
    assert (a["overall_acc_delta"], a["error_delta_pct"]) == (25, -100)
    assert a["bnn_reject_acc"] == pytest.approx(100) and a["reject_acc_delta"] == pytest.approx(25)
    # B: rejected {2, 3}; C right on none, G on 1; accepted {0, 1}: 1 right
    assert (b["bnn_acc_rejected"], b["gwin_acc_rejected"], b["bnn_acc"]) == (0, 50, 25)
    assert b["error_delta_pct"] == pytest.approx(-100 / 3)
    assert b["bnn_reject_acc"] == pytest.approx(50)


def test_aggregate_mean_std_count_by_hand(hand_results):
    sweeps = stats.trial_sweeps(hand_results, taus=[0.5])
    agg = stats.aggregate(sweeps, ["lambda_loss", "tau"]).set_index("lambda_loss")
    ten, one = agg.loc[10.0], agg.loc[1.0]
    assert ten["n_trials"] == 2
    assert ten["bnn_acc_rejected_mean"] == 25
    assert ten["bnn_acc_rejected_std"] == pytest.approx(math.sqrt(2 * 25**2))  # ddof=1
    assert ten["rejected_acc_delta_mean"] == 50 and ten["rejected_acc_delta_std"] == 0
    assert ten["error_delta_pct_mean"] == pytest.approx(-200 / 3)
    assert ten["error_delta_pct_std"] == pytest.approx((100 - 100 / 3) / math.sqrt(2))
    assert ten["bnn_reject_acc_mean"] == pytest.approx(75)
    # a single seed: the std is undefined, not 0
    assert one["n_trials"] == 1 and one["gwin_acc_rejected_count"] == 1
    assert math.isnan(one["gwin_acc_rejected_std"])
    # C rejects only input 3 (right by G, wrong by C)
    assert (one["bnn_acc_rejected_mean"], one["gwin_acc_rejected_mean"]) == (0, 100)


def test_undefined_values_are_excluded_from_count(hand_results):
    sweeps = stats.trial_sweeps(hand_results, taus=[0.15])  # only B and C reject something
    agg = stats.aggregate(sweeps, ["lambda_loss"]).set_index("lambda_loss")
    assert agg.loc[10.0, "n_trials"] == 2 and agg.loc[10.0, "bnn_acc_rejected_count"] == 0
    assert agg.loc[1.0, "bnn_acc_rejected_count"] == 1


def test_aggregate_on_a_synthetic_frame():
    frame = pd.DataFrame({"g": ["x", "x", "x", "y"], "m": [60.0, 70.0, 80.0, 5.0]})
    agg = stats.aggregate(frame, ["g"], ["m"]).set_index("g")
    assert agg.loc["x", ["m_mean", "m_std", "m_count"]].tolist() == [70.0, 10.0, 3]
    assert math.isnan(agg.loc["y", "m_std"])
    with pytest.raises(GwinError, match="cannot group by"):
        stats.aggregate(frame, ["nope"], ["m"])


def test_pool_is_the_aggregate_of_all_the_trials_by_hand():
    """Parts {60, 80} and {70} of x, {5} and an undefined value of y: pooled, x is 60, 70, 80
    (mean 70, std 10, count 3) and y is 5 alone (std undefined; the empty part adds nothing)."""
    part1 = pd.DataFrame({"g": ["x", "y"], "m": [60.0, 5.0]})
    part1 = pd.concat([part1, pd.DataFrame({"g": ["x"], "m": [80.0]})], ignore_index=True)
    part2 = pd.DataFrame({"g": ["x", "y"], "m": [70.0, math.nan]})
    aggs = [stats.aggregate(part, ["g"], ["m"]) for part in (part1, part2)]
    pooled = stats.pool(aggs, ["g"]).set_index("g")
    assert pooled.loc["x", ["n_trials", "m_mean", "m_count"]].tolist() == [3, 70.0, 3]
    assert pooled.loc["x", "m_std"] == pytest.approx(10.0)  # √((100 + 0 + 100) / 2)
    assert pooled.loc["y", ["n_trials", "m_mean", "m_count"]].tolist() == [2, 5.0, 1]
    assert math.isnan(pooled.loc["y", "m_std"])
    together = stats.aggregate(pd.concat([part1, part2]), ["g"], ["m"]).set_index("g")
    pd.testing.assert_frame_equal(pooled, together, check_dtype=False)


def test_per_tau_tables_pool_and_bad_ones_are_refused_in_one_line(tmp_path):
    def table(name, text):
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    head = "dataset,classifier,iterations,tau,n_trials,m_mean,m_std,m_count\n"
    s0 = table("s0.csv", head + "mnist,lenet5,8000,0.8,1,60.0,,1\n")
    s1 = table("s1.csv", head + "mnist,lenet5,8000,0.8,1,80.0,,1\n")
    agg, keys = stats.read_aggregates([s0, s1])
    assert keys == ["iterations", "tau"]
    assert agg[["m_mean", "m_count"]].iloc[0].tolist() == [70.0, 2]
    assert agg["m_std"].iloc[0] == pytest.approx(math.sqrt(200))
    by_tau = table("tau.csv", "dataset,classifier,tau,n_trials,m_mean,m_std,m_count\n")
    bad = table("bad.csv", "a,b\n1,2\n")
    for paths, message in [
        ([s0, s0], "given twice"),
        ([s0, by_tau], "grouped by tau, .* by iterations, tau"),
        ([bad], "is not a per-tau table"),
        ([str(tmp_path / "none.csv")], "cannot read per-tau table"),
    ]:
        with pytest.raises(GwinError, match=message) as error:
            stats.read_aggregates(paths)
        assert "\n" not in str(error.value)


def test_trial_selective_joins_config(hand_results):
    table = stats.trial_selective(hand_results).set_index("trial_id")
    assert table.loc["A", "lambda_loss"] == 10.0
    # A by certainty: right, right, wrong, right -> risks 0, 0, 1/3, 1/4
    assert table.loc["A", "bnn_aurc"] == pytest.approx(100 * (1 / 3 + 1 / 4) / 4)


def test_format_mean_std():
    assert stats.format_mean_std(40.234, 8.509) == "40.23 ± 8.51"
    assert stats.format_mean_std(5.0, float("nan")) == "5.00 ± n/a"
    assert stats.format_mean_std(float("nan"), float("nan")) == "n/a"
    assert stats.format_mean_std(1.0, 0.0) == "1.00 ± 0.00"


def test_bad_inputs_are_one_line_errors(tmp_path, hand_results):
    with pytest.raises(GwinError, match="does not exist"):
        load_results(tmp_path / "missing")
    empty = tmp_path / "empty"
    write_parquet(pd.DataFrame([record("A")]).iloc[:0], empty / "trials.parquet")
    with pytest.raises(GwinError, match="holds no trials"):
        load_results(empty)
    failed = tmp_path / "failed"
    write_parquet(pd.DataFrame([record("X", status="error")]), failed / "trials.parquet")
    with pytest.raises(GwinError, match="none of the 1 trials .* RuntimeError: boom \\(") as err:
        load_results(failed)
    assert "\n" not in str(err.value)
    old = tmp_path / "old"
    write_parquet(pd.DataFrame([record("A")]).drop(columns=["n_confident"]), old / "trials.parquet")
    with pytest.raises(GwinError, match="lacks the trials columns"):
        load_results(old)
    with pytest.raises(GwinError, match="no predictions for split='test', corruption='fog'"):
        stats.trial_sweeps(hand_results, corruption="fog")
    with pytest.raises(GwinError, match="tau=0.42 was not evaluated"):
        stats.at_tau(stats.trial_sweeps(hand_results), 0.42)
