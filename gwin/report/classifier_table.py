"""The classifier comparison: one row per classifier C, mean ± std over seeds at one tau.

Per trial: C's accuracy, % rejected, accuracy on the rejected subset before and after the GWIN
and with the identity baseline (gwin.metrics.sweep), C's AURC (gwin.metrics.selective), and
C's expected calibration error and NLL (the trials row's `{split}_ece` / `{split}_nll`, from
gwin.metrics.calibration; results written before those columns existed show n/a).
"""

from __future__ import annotations

import pandas as pd

from gwin.method.rejection import REPORT_TAU
from gwin.metrics.labels import classifier_labels
from gwin.report.stats import (
    aggregate,
    at_tau,
    swept_columns,
    trial_selective,
    trial_sweeps,
)
from gwin.store.reader import Results

COMPARISON_METRICS = classifier_labels(
    ["bnn_acc", "pct_reject", "bnn_acc_rejected", "gwin_acc_rejected", "identity_acc_rejected",
     "gain_over_identity", "bnn_aurc", "ece", "nll"]
)  # fmt: skip


def comparison_keys(results: Results) -> list[str]:
    """`classifier`, then any other swept config column (so rows never pool two settings)."""
    return ["classifier", *[c for c in swept_columns(results.trials) if c != "classifier"]]


def classifier_comparison(
    results: Results, split: str = "test", tau: float = REPORT_TAU
) -> pd.DataFrame:
    """Mean/std/count per dataset and comparison key, over the trials of each group."""
    sweeps = at_tau(trial_sweeps(results, split, "none"), tau)
    aurc = trial_selective(results, split, "none")[["trial_id", "bnn_aurc"]]
    trials = results.trials
    calibration = pd.DataFrame(
        {
            "trial_id": trials["trial_id"],
            # ECE in % like every other column; NLL in nats
            "ece": 100 * _column(trials, f"{split}_ece"),
            "nll": _column(trials, f"{split}_nll"),
        }
    )
    per_trial = sweeps.merge(aurc, on="trial_id").merge(calibration, on="trial_id")
    keys = ["dataset", *comparison_keys(results)]
    return aggregate(per_trial, keys, list(COMPARISON_METRICS))


def _column(trials: pd.DataFrame, name: str) -> pd.Series:
    if name in trials.columns:
        return pd.to_numeric(trials[name], errors="coerce")
    return pd.Series(float("nan"), index=trials.index)
