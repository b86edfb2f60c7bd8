"""The t-interval and paired t-test over seeds, against values worked out by hand.

With n = 3 the t distribution has df = 2, whose CDF has a closed form,
F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so both the quantile and the p-value are exact by hand:
t_{0.975, 2} solves t / sqrt(2 + t^2) = 0.95, t^2 = 1.805 / 0.0975, and a two-sided p is
1 - |t| / sqrt(2 + t^2).
"""

import math

import numpy as np
import pandas as pd
import pytest

from gwin.analysis.tables import build, main
from gwin.report.over_seeds import INFERENCE_COLUMNS, over_seeds, paired_t_p, t_interval

T_975_DF2 = math.sqrt(1.805 / 0.0975)  # 4.3027


def test_t_interval_by_hand():
    # values 1, 2, 3: mean 2, s = 1, s / sqrt(3) = 0.57735
    low, high = t_interval([1.0, 2.0, 3.0])
    half = T_975_DF2 / math.sqrt(3)
    assert (low, high) == pytest.approx((2 - half, 2 + half), rel=1e-9)
    assert (low, high) == pytest.approx((-0.48414, 4.48414), abs=1e-5)


def test_paired_t_p_by_hand():
    # differences a - b = 1, 2, 3: t = 2 / (1 / sqrt 3) = sqrt(12); p = 1 - sqrt(12 / 14)
    p = paired_t_p([11.0, 22.0, 33.0], [10.0, 20.0, 30.0])
    assert p == pytest.approx(1 - math.sqrt(12 / 14), rel=1e-9)  # 0.0742


def test_pairing_matters():
    # Unpaired, these two samples overlap completely; paired, every seed gains exactly 1 +- 0.1.
    a, b = [50.0, 71.1, 90.0], [49.0, 70.0, 89.0]
    assert paired_t_p(a, b) < 0.01


def test_undefined_with_one_seed_or_no_spread():
    assert all(math.isnan(v) for v in t_interval([3.0]))
    assert math.isnan(paired_t_p([1.0], [0.0]))
    assert math.isnan(paired_t_p([2.0, 3.0], [1.0, 2.0]))  # differences 1, 1: t undefined


def test_over_seeds_groups_and_skips_undefined_gains():
    per_trial = pd.DataFrame(
        {
            "lambda_loss": [10.0] * 4 + [0.0] * 2,
            "gwin_acc_rejected": [11.0, 22.0, 33.0, np.nan, 5.0, 5.0],
            "identity_acc_rejected": [10.0, 20.0, 30.0, np.nan, 4.0, 6.0],
            "bnn_acc_rejected": [9.0, 18.0, 27.0, np.nan, 5.0, 5.0],
        }
    )
    per_trial["gain_over_identity"] = (
        per_trial["gwin_acc_rejected"] - per_trial["identity_acc_rejected"]
    )
    per_trial["rejected_acc_delta"] = per_trial["gwin_acc_rejected"] - per_trial["bnn_acc_rejected"]
    out = over_seeds(per_trial, ["lambda_loss"]).set_index("lambda_loss")
    assert list(out.columns) == INFERENCE_COLUMNS
    # the paper's metric, lambda 10: differences 2, 4, 6: mean 4, s = 2, t = sqrt(12) again
    assert out.loc[10.0, "paired_t_p_vs_bnn"] == pytest.approx(1 - math.sqrt(12 / 14), rel=1e-9)
    low, high = out.loc[10.0, ["rejected_acc_delta_ci_low", "rejected_acc_delta_ci_high"]]
    assert (low, high) == pytest.approx((4 - 2 * T_975_DF2 / math.sqrt(3),
                                         4 + 2 * T_975_DF2 / math.sqrt(3)))  # fmt: skip
    # lambda 0: BNN+GWIN equals the BNN on both seeds: no spread, p undefined, interval [0, 0]
    assert math.isnan(out.loc[0.0, "paired_t_p_vs_bnn"])
    assert out.loc[0.0, "rejected_acc_delta_ci_low"] == 0.0
    # lambda 10: the NaN seed (empty rejected set) is left out; 1, 2, 3 remain.
    assert out.loc[10.0, "paired_t_p"] == pytest.approx(1 - math.sqrt(12 / 14), rel=1e-9)
    assert out.loc[10.0, INFERENCE_COLUMNS[0]] == pytest.approx(2 - T_975_DF2 / math.sqrt(3))
    # lambda 0: differences +1, -1: mean 0, s = sqrt 2, t = 0, p = 1.
    assert out.loc[0.0, "paired_t_p"] == pytest.approx(1.0)
    assert out.loc[0.0, INFERENCE_COLUMNS[1]] == pytest.approx(12.7062 * 1.0, rel=1e-4)


def test_tables_ci_shows_what_the_stored_sweeps_give(synthetic_study):
    """`tables.py --ci`: the interval and p in each row are those of the trials' own sweeps."""
    text = build(str(synthetic_study), split="test", inference=True)
    assert "GWIN − Identity 95% CI" in text and "paired t p" in text
    sweeps = pd.concat(
        pd.read_parquet(f).assign(trial_id=f.parent.name)
        for f in sorted((synthetic_study / "trial_outputs").glob("d-l10-s*/sweeps.parquet"))
    )
    at = sweeps[(sweeps["split"] == "test") & (sweeps["corruption"] == "none")]
    at = at[np.isclose(at["tau"], 0.8)]
    low, high = t_interval(at["gain_over_identity"])
    p = paired_t_p(at["gwin_acc_rejected"], at["identity_acc_rejected"])
    rows = [r for r in text.splitlines() if r.startswith("| 10 ") and "| 0.8 " in r]
    assert any(f"[{low:+.2f}, {high:+.2f}]" in r and f"{p:.2g}" in r for r in rows), rows
    # and the paper's metric beside it: BNN+GWIN against the BNN
    assert "Rejected Acc. Δ 95% CI" in text and "paired t p vs BNN" in text
    low, high = t_interval(at["rejected_acc_delta"])
    p = paired_t_p(at["gwin_acc_rejected"], at["bnn_acc_rejected"])
    assert any(f"[{low:+.2f}, {high:+.2f}]" in r and f"{p:.2g}" in r for r in rows), rows


def test_ci_with_vs_paper_is_one_line_error(capsys, synthetic_study):
    assert main([str(synthetic_study), "--ci", "--vs-paper"]) == 2
    assert "--ci and --vs-paper" in capsys.readouterr().err
