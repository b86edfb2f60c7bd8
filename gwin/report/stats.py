"""From Parquet results to mean +- std over seeds: the numbers behind every table and report.

Per trial, the tau sweep (gwin.metrics.sweep) and the selective-classification areas
(gwin.metrics.selective) are computed from the stored per-input predictions and joined with the
trial's config columns; `aggregate` then takes mean, std and count over the trials of each group
with pandas. std uses ddof=1, so a group with one seed has an undefined (NaN) std, shown as
"n/a" by `format_mean_std`, never as 0.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import fields

import numpy as np
import pandas as pd

from gwin.config import RUNTIME_FIELDS, TrialConfig
from gwin.errors import GwinError, OneLineParser
from gwin.metrics.selective import SELECTIVE_COLUMNS, selective_by
from gwin.metrics.sweep import SWEEP_COLUMNS, sweep_by
from gwin.store.reader import Results

SWEEP_METRICS = [c for c in SWEEP_COLUMNS if c != "tau"]
METRICS = [*SWEEP_METRICS, *SELECTIVE_COLUMNS]
# Config columns that identify what a trial computes; `study` names where it came from.
CONFIG_COLUMNS = ["study", *(f.name for f in fields(TrialConfig) if f.name not in RUNTIME_FIELDS)]
# Never "swept" in the sense of a hyperparameter: seeds are what we average over, dataset and
# classifier get a table each, and taus/corruptions say what was evaluated, not how.
NOT_SWEPT = {"study", "seed", "classifier_seed", "dataset", "classifier", "taus", "corruptions"}
TABLE_KEYS = ["dataset", "classifier"]


def config_columns(trials: pd.DataFrame) -> list[str]:
    return [c for c in CONFIG_COLUMNS if c in trials.columns]


def swept_columns(trials: pd.DataFrame) -> list[str]:
    """Config columns whose value differs between trials (the study's search space)."""
    candidates = [c for c in CONFIG_COLUMNS if c in trials.columns and c not in NOT_SWEPT]
    return [c for c in candidates if trials[c].astype(str).nunique() > 1]


def _select(results: Results, split: str | None, corruption: str | None) -> pd.DataFrame:
    p = results.predictions
    if split is not None:
        p = p[p["split"] == split]
    if corruption is not None:
        p = p[p["corruption"] == corruption]
    if p.empty:
        have = sorted(
            set(zip(results.predictions["split"], results.predictions["corruption"], strict=True))
        )
        raise GwinError(
            f"no predictions for split={split!r}, corruption={corruption!r}; "
            f"available (split, corruption): {have}"
        )
    return p


def select_predictions(
    results: Results,
    split: str | None = "test",
    corruption: str | None = "none",
    columns: Sequence[str] = TABLE_KEYS,
) -> pd.DataFrame:
    """Predictions of one split / corruption (None: all) with trial `columns` attached."""
    p = _select(results, split, corruption)
    return p.merge(results.trials[["trial_id", *columns]], on="trial_id", how="inner")


def _with_config(per_trial: pd.DataFrame, results: Results) -> pd.DataFrame:
    config = results.trials[["trial_id", *config_columns(results.trials)]]
    return config.merge(per_trial, on="trial_id", how="inner", validate="one_to_many")


def trial_sweeps(
    results: Results,
    split: str | None = "test",
    corruption: str | None = "none",
    taus: Sequence[float] | None = None,
) -> pd.DataFrame:
    """The tau sweep of every trial (x split x corruption) with its config columns."""
    p = _select(results, split, corruption)
    sweeps = sweep_by(p, ("trial_id", "split", "corruption"), taus or results.taus)
    return _with_config(sweeps, results)


def trial_selective(
    results: Results, split: str | None = "test", corruption: str | None = "none"
) -> pd.DataFrame:
    """AURC in % of the BNN and of BNN+GWIN for every trial (x split x corruption), with config."""
    p = _select(results, split, corruption)
    return _with_config(selective_by(p, ("trial_id", "split", "corruption")), results)


def aggregate(
    per_trial: pd.DataFrame, by: Sequence[str], metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Mean, std (ddof=1) and count over the trials of each `by` group.

    Returns the `by` columns, `n_trials`, and `{metric}_mean`, `{metric}_std`, `{metric}_count`
    per metric (count excludes undefined values, e.g. accuracy on an empty rejected set).
    """
    if metrics is None:
        metrics = [m for m in METRICS if m in per_trial.columns]
    missing = [c for c in by if c not in per_trial.columns]
    if missing:
        skip = {*metrics, "trial_id", "n", "n_rejected"}
        options = ", ".join(c for c in per_trial.columns if c not in skip)
        raise GwinError(f"cannot group by {missing}: not a results column; choose from {options}")
    grouped = per_trial.groupby(list(by), dropna=False, sort=True)
    stats = grouped[list(metrics)].agg(["mean", "std", "count"])
    stats.columns = [f"{metric}_{stat}" for metric, stat in stats.columns]
    stats.insert(0, "n_trials", grouped.size())
    return stats.reset_index()


def at_tau(frame: pd.DataFrame, tau: float) -> pd.DataFrame:
    """Rows of a per-trial or aggregated sweep at `tau` (float-tolerant)."""
    rows = frame[np.isclose(frame["tau"].astype(float), tau)]
    if rows.empty:
        raise GwinError(
            f"tau={tau} was not evaluated; choose one of {sorted(frame['tau'].unique())}"
        )
    return rows


def format_mean_std(mean: float, std: float, digits: int = 2, pm: str = " ± ") -> str:
    """Format as "m ± s"; an undefined mean is "n/a", an undefined std (one seed) "m ± n/a"."""
    if mean is None or math.isnan(mean):
        return "n/a"
    spread = "n/a" if std is None or math.isnan(std) else f"{std:.{digits}f}"
    return f"{mean:.{digits}f}{pm}{spread}"


def results_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments every analysis script shares: the results location and the split."""
    parser = OneLineParser(description=doc.splitlines()[0])
    parser.add_argument(
        "results",
        help="study folder (STORAGE/NAME, a local path or a URI such as s3://bucket/NAME), its "
        "results/ folder, or a trial's --out folder",
    )
    parser.add_argument("--split", default="test", choices=("test", "val"))
    return parser
