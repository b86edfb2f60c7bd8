"""Learning curves: each trial's periodic validation (its `history` table), mean ± std over
seeds per setting and iteration.

A run with snapshots stores its snapshots as shorter trials whose histories are prefixes of its
own, so only the longest trial of each setting and seed is kept: every report counts once.
"""

from __future__ import annotations

import pandas as pd

from gwin.metrics.names import (
    VAL_GAIN,
    VAL_GWIN_ACC_REJECTED,
    VAL_IDENTITY_ACC_REJECTED,
    VAL_OVERALL_ACC_DELTA,
)
from gwin.report.stats import TABLE_KEYS, aggregate, config_columns, swept_columns
from gwin.store.reader import Results

CURVE_METRICS = {
    VAL_GAIN: "GWIN − Identity (val, τ = 0.8)",
    VAL_OVERALL_ACC_DELTA: "Overall Acc. Δ (val)",
    VAL_GWIN_ACC_REJECTED: "BNN+GWIN Acc. (rejected, val)",
    VAL_IDENTITY_ACC_REJECTED: "Identity Acc. (rejected, val)",
    "critic_loss": "critic loss",
    "generator_loss": "generator loss",
}


def shown_metrics(agg: pd.DataFrame) -> dict[str, str]:
    """The CURVE_METRICS a curves table holds (a history stores what its run reported)."""
    return {k: v for k, v in CURVE_METRICS.items() if f"{k}_mean" in agg.columns}


def curve_keys(results: Results) -> list[str]:
    """The swept config columns a curve is drawn per (not `iterations`: a curve spans them)."""
    return [c for c in swept_columns(results.trials) if c != "iterations"]


def longest_runs(trials: pd.DataFrame) -> pd.DataFrame:
    """The longest trial of every setting and seed (snapshots of it dropped)."""
    same = [c for c in config_columns(trials) if c not in ("iterations", "study")]
    return trials.sort_values("iterations", kind="stable").drop_duplicates(same, keep="last")


def trial_histories(results: Results) -> pd.DataFrame:
    """The history rows of the longest trials, with their config columns."""
    runs = longest_runs(results.trials)
    history = results.read("history", list(runs["trial_id"]))
    if history.empty:
        return history
    config = runs[["trial_id", *config_columns(runs)]].drop(columns="iterations")
    return config.merge(history, on="trial_id", how="inner")


def curves_table(results: Results) -> pd.DataFrame:
    """Mean / std / count per dataset, classifier, swept setting and iteration."""
    history = trial_histories(results)
    if history.empty:
        return history
    metrics = [m for m in CURVE_METRICS if m in history.columns]
    return aggregate(history, [*TABLE_KEYS, *curve_keys(results), "iteration"], metrics)
