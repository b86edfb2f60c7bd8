"""One row per trial at one tau, in both metrics: ours, the gain over the identity baseline
(validation and test) with the exact McNemar test of BNN+GWIN against the identity on the
trial's rejected test inputs and on its rejected validation inputs (what a study's rule
decides on); and the paper's, BNN Acc., BNN+GWIN Acc. and Rejected Acc. Δ
(BNN+GWIN − BNN) with the McNemar test of BNN+GWIN against the BNN (gwin.metrics.paired).
What a budget study's per-seed figures are read from; each row also says where it ran
(`ran_on`, e.g. "cpu, 1 thread"), so rows kept as data (docs/data/) carry it."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from gwin.method.rejection import REPORT_TAU
from gwin.metrics.labels import LABELS, PAPER_LABELS
from gwin.metrics.paired import paired_counts
from gwin.report.provenance import trial_ran_on
from gwin.report.stats import Results, config_columns, swept_columns

# GWIN − Identity (ours), then the paper's Table 1/2 columns on the test split
OURS = ["val_gain", "test_gain", "fixed", "broken", "mcnemar_p", "val_fixed", "val_broken",
        "val_mcnemar_p"]  # fmt: skip
PAPERS = [
    "test_bnn_acc_rejected",
    "test_gwin_acc_rejected",
    "test_rejected_acc_delta",
    "val_rejected_acc_delta",
    "fixed_vs_bnn",
    "broken_vs_bnn",
    "mcnemar_p_vs_bnn",
]
SHOWN = [*OURS, *PAPERS, "seconds_total", "ran_on"]
# the trials row's McNemar columns at REPORT_TAU, per verdict the GWIN is tested against
STORED = {
    "identity": {k: f"test_vs_identity_{k}" for k in ("fixed", "broken", "mcnemar_p")},
    "bnn": {k: f"test_{k}" for k in ("fixed", "broken", "mcnemar_p")},
}


def _counts(results: Results, trial: pd.Series, tau: float) -> dict[str, dict[str, float]]:
    """McNemar of BNN+GWIN against each verdict of STORED on the trial's rejected test inputs:
    from the trials row at REPORT_TAU, else from the trial's predictions, read once for both
    (one trial in memory)."""
    counts, test = {}, None
    for before, stored in STORED.items():
        if np.isclose(tau, REPORT_TAU) and not any(pd.isna(trial.get(c)) for c in stored.values()):
            counts[before] = {k: trial[c] for k, c in stored.items()}
            continue
        if test is None:
            tid = trial["trial_id"]
            test = results.read("predictions", trial_ids=[tid], split="test", corruption="none")
        counts[before] = paired_counts(test, tau, after="gwin", before=before)
    return counts


def _val_counts(results: Results, trial_id: str, tau: float) -> dict[str, float]:
    """McNemar of BNN+GWIN against the identity on the trial's rejected validation inputs (the
    trials row stores test only); NaN where the trial kept no validation predictions."""
    val = results.read("predictions", trial_ids=[trial_id], split="val", corruption="none")
    if val.empty:
        return dict.fromkeys(("fixed", "broken", "mcnemar_p"), np.nan)
    return paired_counts(val, tau, after="gwin", before="identity")


def per_trial(results: Results, tau: float) -> pd.DataFrame:
    """At REPORT_TAU from the trials rows; at another tau from one trial's test predictions at
    a time, so memory is bounded by one trial."""
    trials = results.trials[results.trials["status"] == "ok"]
    keys = [c for c in ("dataset", "classifier", *swept_columns(trials), "seed")
            if c in config_columns(trials)]  # fmt: skip
    rows = []
    for _, trial in trials.sort_values([*keys, "trial_id"]).iterrows():
        tid = trial["trial_id"]
        sweeps = results.read("sweeps", trial_ids=[tid], corruption="none")
        at = sweeps[np.isclose(sweeps["tau"].astype(float), tau)]
        by_split = at.set_index("split")
        cell = functools.partial(_cell, by_split)
        counts = _counts(results, trial, tau)
        ours, papers = counts["identity"], counts["bnn"]
        on_val = _val_counts(results, tid, tau)
        rows.append({
            **{k: trial[k] for k in keys}, "trial_id": tid,
            "val_gain": cell("val", "gain_over_identity"),
            "test_gain": cell("test", "gain_over_identity"),
            "fixed": ours["fixed"], "broken": ours["broken"], "mcnemar_p": ours["mcnemar_p"],
            "val_fixed": on_val["fixed"], "val_broken": on_val["broken"],
            "val_mcnemar_p": on_val["mcnemar_p"],
            "test_bnn_acc_rejected": cell("test", "bnn_acc_rejected"),
            "test_gwin_acc_rejected": cell("test", "gwin_acc_rejected"),
            "test_rejected_acc_delta": cell("test", "rejected_acc_delta"),
            "val_rejected_acc_delta": cell("val", "rejected_acc_delta"),
            "fixed_vs_bnn": papers["fixed"], "broken_vs_bnn": papers["broken"],
            "mcnemar_p_vs_bnn": papers["mcnemar_p"],
            "seconds_total": trial.get("seconds_total", np.nan),
            "ran_on": trial_ran_on(trial),  # so rows kept as data say their device and threads
        })  # fmt: skip
    return pd.DataFrame(rows)


def per_trial_table(frame: pd.DataFrame) -> pd.DataFrame:
    """`per_trial` as display strings: ours (GWIN − Identity) first, then the paper's metric."""
    out = frame.drop(columns=SHOWN).astype(str)
    out[f"{LABELS['gain_over_identity']} val / test"] = [
        f"{_signed(v)} / {_signed(t)}" for v, t in zip(frame["val_gain"], frame["test_gain"],
                                                       strict=True)
    ]  # fmt: skip
    out["vs identity fixed / broken (p)"] = _mcnemar(frame, "fixed", "broken", "mcnemar_p")
    out["val: vs identity fixed / broken (p)"] = _mcnemar(
        frame, "val_fixed", "val_broken", "val_mcnemar_p"
    )
    for column in ("bnn_acc_rejected", "gwin_acc_rejected"):  # the paper's words for them
        out[PAPER_LABELS[column]] = frame[f"test_{column}"].map(_plain)
    out[f"{LABELS['rejected_acc_delta']} val / test"] = [
        f"{_signed(v)} / {_signed(t)}"
        for v, t in zip(frame["val_rejected_acc_delta"], frame["test_rejected_acc_delta"],
                        strict=True)
    ]  # fmt: skip
    out["vs BNN fixed / broken (p)"] = _mcnemar(
        frame, "fixed_vs_bnn", "broken_vs_bnn", "mcnemar_p_vs_bnn"
    )
    out["seconds"] = frame["seconds_total"].map(lambda v: "n/a" if np.isnan(v) else f"{v:.0f}")
    return out


def _cell(by_split: pd.DataFrame, split: str, column: str) -> float:
    """One sweep value of a split at the row's tau; NaN for a split the trial did not store."""
    return float(by_split.at[split, column]) if split in by_split.index else np.nan


def _signed(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:+.2f}"


def _plain(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.2f}"


def _mcnemar(frame: pd.DataFrame, fixed: str, broken: str, p: str) -> list[str]:
    """'fixed / broken (p)'; n/a where the trial kept no such predictions (NaN counts, which
    also make the column float: hence :.0f)."""
    return [
        "n/a" if np.isnan(q) else f"{f:.0f} / {b:.0f} ({q:.2g})"
        for f, b, q in zip(frame[fixed], frame[broken], frame[p], strict=True)
    ]
