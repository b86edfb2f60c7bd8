"""One row per trial at one tau: the validation and test gain over the identity baseline and the
exact McNemar test of BNN+GWIN against the identity on that trial's rejected test inputs
(gwin.metrics.paired). What a budget study's per-seed figures are read from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gwin.metrics.paired import paired_counts
from gwin.rejection import REPORT_TAU
from gwin.report.stats import Results, config_columns, swept_columns

SHOWN = ["val_gain", "test_gain", "fixed", "broken", "mcnemar_p", "seconds_total"]


STORED = {k: f"test_vs_identity_{k}" for k in ("fixed", "broken", "mcnemar_p")}


def _stored_counts(trial: pd.Series, tau: float) -> dict[str, float] | None:
    """The trials row's own McNemar counts against the identity, written at REPORT_TAU."""
    if not np.isclose(tau, REPORT_TAU) or any(pd.isna(trial.get(c)) for c in STORED.values()):
        return None
    return {k: trial[c] for k, c in STORED.items()}


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
        gain = dict(zip(at["split"], at["gain_over_identity"], strict=True))
        counts = _stored_counts(trial, tau)
        if counts is None:  # another tau than the row's: from the trial's predictions
            test = results.read("predictions", trial_ids=[tid], split="test", corruption="none")
            counts = paired_counts(test, tau, after="gwin", before="identity")
        rows.append({
            **{k: trial[k] for k in keys}, "trial_id": tid,
            "val_gain": gain.get("val", np.nan), "test_gain": gain.get("test", np.nan),
            "fixed": counts["fixed"], "broken": counts["broken"],
            "mcnemar_p": counts["mcnemar_p"], "seconds_total": trial.get("seconds_total", np.nan),
        })  # fmt: skip
    return pd.DataFrame(rows)


def per_trial_table(frame: pd.DataFrame) -> pd.DataFrame:
    """`per_trial` as display strings."""
    out = frame.drop(columns=SHOWN).astype(str)
    out["val gain"] = frame["val_gain"].map(lambda v: "n/a" if np.isnan(v) else f"{v:+.2f}")
    out["test gain"] = frame["test_gain"].map(lambda v: "n/a" if np.isnan(v) else f"{v:+.2f}")
    out["fixed / broken"] = [f"{f} / {b}" for f, b in zip(frame["fixed"], frame["broken"],
                                                          strict=True)]  # fmt: skip
    out["McNemar p"] = frame["mcnemar_p"].map(lambda v: f"{v:.2g}")
    out["seconds"] = frame["seconds_total"].map(lambda v: "n/a" if np.isnan(v) else f"{v:.0f}")
    return out
