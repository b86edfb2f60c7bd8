"""The report's verdict: both metrics with 95% t-intervals over seeds, and which is significant,
against values worked out by hand (n = 3 seeds: t_{0.975, 2} = sqrt(1.805 / 0.0975))."""

import math

import pandas as pd
import pytest

from gwin.report.reading import verdict_line
from gwin.report.verdict import verdict, verdict_table

T = math.sqrt(1.805 / 0.0975)  # 4.3027


def _sweeps() -> pd.DataFrame:
    rows = []
    # lambda 1: three seeds; the paper's Δ = 10, 12, 14 (mean 12, s = 2); ours = -1, 0, 1
    for seed, (bnn, ident, gwin) in enumerate([(40, 51, 50), (40, 52, 52), (40, 53, 54)]):
        rows.append(("lenet5", 1.0, seed, bnn, ident, gwin))
    # lambda 10: one seed only
    rows.append(("lenet5", 10.0, 0, 40, 45, 50))
    frame = pd.DataFrame(
        rows,
        columns=["classifier", "lambda_loss", "seed", "bnn_acc_rejected",
                 "identity_acc_rejected", "gwin_acc_rejected"],
    )  # fmt: skip
    frame["rejected_acc_delta"] = frame["gwin_acc_rejected"] - frame["bnn_acc_rejected"]
    frame["gain_over_identity"] = frame["gwin_acc_rejected"] - frame["identity_acc_rejected"]
    other_tau = frame.assign(tau=0.5, gain_over_identity=99.0)  # never read at tau 0.8
    return pd.concat([frame.assign(tau=0.8), other_tau], ignore_index=True).assign(
        dataset="digits", trial_id=lambda f: f.index.astype(str)
    )


def test_verdict_numbers_by_hand():
    out = verdict(_sweeps(), ["lambda_loss"], 0.8).set_index("lambda_loss")
    one = out.loc[1.0]
    assert one["seeds"] == 3
    half = 2 * T / math.sqrt(3)  # s = 2 for both metrics
    assert one["rejected_acc_delta_mean"] == pytest.approx(12.0)
    assert (one["rejected_acc_delta_ci_low"], one["rejected_acc_delta_ci_high"]) == pytest.approx(
        (12 - half, 12 + half)
    )
    # ours: -1, 0, 1 (gwin - identity): mean 0, s = 1
    assert one["gain_over_identity_mean"] == pytest.approx(0.0)
    assert one["gain_over_identity_ci_high"] == pytest.approx(T / math.sqrt(3))
    # paired t of the paper's metric: t = 12 / (2 / sqrt 3) = 6 sqrt 3; p = 1 - t / sqrt(2 + t^2)
    t = 6 * math.sqrt(3)
    assert one["paired_t_p_vs_bnn"] == pytest.approx(1 - t / math.sqrt(2 + t * t))
    assert one["paired_t_p"] == pytest.approx(1.0)  # t = 0
    single = out.loc[10.0]
    assert single["seeds"] == 1 and math.isnan(single["gain_over_identity_ci_low"])

    table = verdict_table(out.reset_index(), ["lambda_loss"])
    assert table["setting"].tolist() == [
        "digits / lenet5, lambda_loss = 1",
        "digits / lenet5, lambda_loss = 10",
    ]
    assert table.iloc[0, 2] == f"+12.00 [{12 - half:+.2f}, {12 + half:+.2f}]"
    assert table.iloc[1, 4] == "+5.00 [n/a]"


def test_verdict_line_says_which_metric_is_significant():
    both = {"Rejected Acc. Δ": (1.0, 3.0), "GWIN − Identity": (-2.0, -0.5)}
    line = verdict_line("digits / lenet5", 3, 0.8, both)
    assert line.startswith(
        "Reading (digits / lenet5, 3 seeds, τ = 0.8): both metrics are significant"
    )
    assert "GWIN − Identity: 95% CI below 0" in line
    paper_only = {"Rejected Acc. Δ": (1.0, 3.0), "GWIN − Identity": (-1.0, 2.0)}
    assert "only Rejected Acc. Δ is significant" in verdict_line("x", 3, 0.8, paper_only)
    ours_only = {"Rejected Acc. Δ": (-1.0, 3.0), "GWIN − Identity": (0.1, 2.0)}
    assert "only GWIN − Identity is significant" in verdict_line("x", 3, 0.8, ours_only)
    neither = {"Rejected Acc. Δ": (-1.0, 3.0), "GWIN − Identity": (-1.0, 0.0)}
    assert "neither metric is significant" in verdict_line("x", 2, 0.8, neither)
    nan = float("nan")
    one = verdict_line("x", 1, 0.8, {"Rejected Acc. Δ": (nan, nan), "GWIN − Identity": (nan, nan)})
    assert "1 seed," in one and "significance cannot be judged" in one
