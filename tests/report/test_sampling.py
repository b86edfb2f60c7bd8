"""gwin.report.sampling: counts read one trial at a time, the bootstrap interval and the variance
decomposition per group, and their display cells, on frames built by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from gwin.metrics.variance import OUTCOMES
from gwin.report.sampling import (
    BOOTSTRAP_COLUMNS,
    VARIANCE_COLUMNS,
    bootstrap_cells,
    bootstrap_cis,
    trial_outcomes,
    variance_by,
    variance_cells,
)
from gwin.report.tables import variance_table


class OneTrialAtATime:
    """A stand-in for gwin.store.reader.Results that records every read."""

    def __init__(self, predictions: dict[str, pd.DataFrame]):
        self.predictions, self.reads = predictions, []

    def read(self, table, trial_ids=None, columns=None, split=None, corruption=None):
        self.reads.append((table, list(trial_ids), split, corruption))
        return self.predictions[trial_ids[0]][list(columns)]


def frame(gwin_right: list[bool], certainty: list[float]) -> pd.DataFrame:
    """Predictions of label 1; identity and bnn always wrong."""
    n = len(certainty)
    return pd.DataFrame(
        {
            "label": [1] * n,
            "bnn_certainty": certainty,
            "bnn_pred": [0] * n,
            "identity_pred": [0] * n,
            "gwin_pred": [1 if ok else 0 for ok in gwin_right],
            "gwin_certainty": [0.5] * n,  # a column the counts never read
        }
    )


def test_trial_outcomes_reads_each_trial_once_for_all_its_taus():
    results = OneTrialAtATime(
        {
            "a": frame([True, False, True], [0.1, 0.6, 0.9]),
            "b": frame([True, True, True], [0.2, 0.3, 0.4]),
        }
    )
    rows = pd.DataFrame({"trial_id": ["a", "a", "b", "b"], "tau": [0.5, 0.95, 0.5, 0.95],
                         "setting": [1, 1, 1, 1]})  # fmt: skip
    out = trial_outcomes(results, rows, "val", "rotate")
    assert results.reads == [("predictions", ["a"], "val", "rotate"),
                             ("predictions", ["b"], "val", "rotate")]  # fmt: skip
    assert list(out.columns) == ["trial_id", "tau", "setting", *OUTCOMES]
    # a at 0.5: input 0 rejected, gwin right (rejected_100); at 0.95 all three: 100, 000, 100
    assert out[OUTCOMES].to_numpy().tolist() == [
        [2, 0, 0, 0, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 2, 0, 0, 0],
        [0, 0, 0, 0, 0, 3, 0, 0, 0],
        [0, 0, 0, 0, 0, 3, 0, 0, 0],
    ]


def outcome_rows() -> pd.DataFrame:
    """Setting x: the two seeds of tests/metrics/test_variance.py (GWIN − Identity 20 and 0;
    Rejected Acc. Δ 24 and 28); setting y: one seed that fixes all 10 rejected inputs."""
    counts = {
        ("x", 0): {"accepted": 50, "rejected_101": 30, "rejected_010": 10, "rejected_110": 24,
                   "rejected_111": 36},
        ("x", 1): {"accepted": 50, "rejected_101": 18, "rejected_010": 18, "rejected_110": 28,
                   "rejected_111": 36},
        ("y", 0): {"accepted": 5, "rejected_100": 10},
    }  # fmt: skip
    return pd.DataFrame(
        [{"setting": s, "seed": seed, **dict.fromkeys(OUTCOMES, 0), **c}
         for (s, seed), c in counts.items()]
    )  # fmt: skip


def test_variance_by_gives_the_hand_computed_components():
    out = variance_by(outcome_rows(), ["setting"]).set_index("setting")
    assert list(out.columns) == VARIANCE_COLUMNS
    x = out.loc["x"]
    assert x["n_seeds"] == 2
    assert (x["gain_over_identity_mean"], x["rejected_acc_delta_mean"]) == (10.0, 26.0)
    # tests/metrics/test_variance.py works these out: training 200 - 64, the mean 200 / 2 + 36
    ours = [x[f"gain_over_identity_sd_{c}"] for c in ("seeds", "test", "mc", "training", "mean")]
    assert ours == pytest.approx([math.sqrt(200), 6.0, 8.0, math.sqrt(136), math.sqrt(136)])
    shares = [x[f"gain_over_identity_share_{c}"] for c in ("test", "mc", "training")]
    assert shares == pytest.approx([36 / 136, 32 / 136, 0.5])
    assert x["rejected_acc_delta_sd_seeds"] == pytest.approx(math.sqrt(8))
    assert x["rejected_acc_delta_sd_training"] == 0.0
    y = out.loc["y"]  # one seed: no spread over seeds; test and mc are 0 (every input fixed)
    assert y["n_seeds"] == 1 and y["gain_over_identity_mean"] == 100.0
    assert math.isnan(y["gain_over_identity_sd_seeds"]) and y["gain_over_identity_sd_test"] == 0
    shown = variance_table(variance_by(outcome_rows(), ["setting"]), ["setting"])
    means = shown["GWIN − Identity (mean ± sd over seeds)"]
    assert means.tolist() == ["10.00 ± 14.14", "100.00 ± n/a"]
    assert shown["GWIN − Identity: MC sd (share)"].tolist() == ["8.00 (24%)", "0.00"]
    assert shown["GWIN − Identity: sd of the mean"].tolist() == ["11.66", "n/a"]
    assert shown["Rejected Acc. Δ: training sd (share)"].tolist() == ["0.00 (0%)", "n/a"]
    assert shown["n"].tolist() == [2, 1]
    assert set(variance_cells(variance_by(outcome_rows(), ["setting"]))) < set(shown.columns)


def test_bootstrap_cis_per_group_repeatable_and_a_point_where_nothing_varies():
    first = bootstrap_cis(outcome_rows(), ["setting"])
    assert list(first.columns) == ["setting", *BOOTSTRAP_COLUMNS]
    pd.testing.assert_frame_equal(first, bootstrap_cis(outcome_rows(), ["setting"]))
    y = first.set_index("setting").loc["y"]
    assert y.tolist() == [100.0, 100.0, 100.0, 100.0]  # every rejected input fixed
    x = first.set_index("setting").loc["x"]
    # the mean over seeds, 10 (GWIN − Identity) and 26 (Rejected Acc. Δ), lies inside
    assert x["gain_over_identity_boot_low"] < 10 < x["gain_over_identity_boot_high"]
    assert x["rejected_acc_delta_boot_low"] < 26 < x["rejected_acc_delta_boot_high"]
    cells = bootstrap_cells(first)
    assert cells["GWIN − Identity 95% bootstrap CI"][1] == "[+100.00, +100.00]"
    assert list(cells) == ["GWIN − Identity 95% bootstrap CI", "Rejected Acc. Δ 95% bootstrap CI"]


def test_a_group_with_nothing_rejected_is_undefined():
    rows = pd.DataFrame([{"setting": "z", **dict.fromkeys(OUTCOMES, 0), "accepted": 7}] * 2)
    boot = bootstrap_cis(rows, ["setting"])
    assert np.isnan(boot[BOOTSTRAP_COLUMNS].to_numpy(dtype=float)).all()
    assert bootstrap_cells(boot)["Rejected Acc. Δ 95% bootstrap CI"] == ["n/a"]
    var = variance_by(rows, ["setting"])
    assert var["n_seeds"].tolist() == [0]
    assert np.isnan(var[VARIANCE_COLUMNS[1:]].to_numpy(dtype=float)).all()
