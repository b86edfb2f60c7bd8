"""From Parquet results to mean +- std over seeds: the numbers behind every table and report.

Per trial, the tau sweep (gwin.metrics.sweep) and the selective-classification areas
(gwin.metrics.selective) are computed from the stored per-input predictions and joined with the
trial's config columns; `aggregate` then takes mean, std and count over the trials of each group
with pandas. std uses ddof=1, so a group with one seed has an undefined (NaN) std, shown as
"n/a" by `format_mean_std`, never as 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from gwin.config import DEFAULT_TAUS, RUNTIME_FIELDS, TrialConfig
from gwin.errors import GwinError
from gwin.metrics.selective import SELECTIVE_COLUMNS, selective_by
from gwin.metrics.sweep import SWEEP_COLUMNS, sweep_by
from gwin.results import read_table

# The threshold of the headline numbers (the paper's Figure 2 and gwin.trial.REPORT_TAU).
HEADLINE_TAU = 0.8
SWEEP_METRICS = [c for c in SWEEP_COLUMNS if c != "tau"]
METRICS = [*SWEEP_METRICS, "bnn_reject_acc", "reject_acc_delta", *SELECTIVE_COLUMNS]
# Config columns that identify what a trial computes; `study` names where it came from.
CONFIG_COLUMNS = ["study", *(f.name for f in fields(TrialConfig) if f.name not in RUNTIME_FIELDS)]
# Never "swept" in the sense of a hyperparameter: seeds are what we average over, dataset and
# classifier get a table each, and taus/corruptions say what was evaluated, not how.
NOT_SWEPT = {"study", "seed", "classifier_seed", "dataset", "classifier", "taus", "corruptions"}
TABLE_KEYS = ["dataset", "classifier"]


@dataclass
class Results:
    """The successful trials of a results directory and their predictions and examples."""

    source: Path
    trials: pd.DataFrame  # status == 'ok' only
    failed: pd.DataFrame  # status != 'ok'
    predictions: pd.DataFrame
    examples: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def config_columns(self) -> list[str]:
        return [c for c in CONFIG_COLUMNS if c in self.trials.columns]

    @property
    def taus(self) -> list[float]:
        """Every tau any trial evaluated (the union of the trials' `taus`)."""
        found = {float(t) for value in self.trials.get("taus", []) for t in json.loads(value)}
        return sorted(found) or list(DEFAULT_TAUS)


def _as_str(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for c in columns:
        if c in frame.columns:
            frame[c] = frame[c].astype(str)
    return frame


def load_results(path: str | os.PathLike) -> Results:
    """Read a study dir (STORAGE/NAME), its `results/` or a trial dir; keep the 'ok' trials."""
    source = Path(path)
    trials = _as_str(read_table(source, "trials"), ["trial_id", "status"])
    if trials.empty:
        raise GwinError(f"{source} holds no trials; run the study (or a trial) first")
    ok = trials["status"] == "ok"
    if not ok.any():
        first = (str(trials["error"].iloc[0]).strip().splitlines() or [""])[0][:200]
        raise GwinError(
            f"none of the {len(trials)} trials in {source} succeeded; first error: "
            f"{first or 'unknown'} (fix it and re-run with --resume)"
        )
    predictions = read_table(source, "predictions")
    # Hive partitions (dataset=...) repeat trial columns; the trials table is the authority.
    duplicated = [c for c in predictions.columns if c in trials.columns and c != "trial_id"]
    predictions = _as_str(predictions.drop(columns=duplicated), ["trial_id", "split", "corruption"])
    predictions = predictions[predictions["trial_id"].isin(trials.loc[ok, "trial_id"])]
    if predictions.empty:
        raise GwinError(f"{source} has no predictions for its successful trials; re-run them")
    notes = []
    try:
        examples = _as_str(read_table(source, "examples"), ["trial_id"])
    except GwinError as err:  # optional: only the example grid needs it
        examples, notes = pd.DataFrame(), [f"no example images: {err}"]
    return Results(
        source,
        trials[ok].reset_index(drop=True),
        trials[~ok].reset_index(drop=True),
        predictions.reset_index(drop=True),
        examples,
        notes,
    )


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
    config = results.trials[["trial_id", *results.config_columns]]
    return config.merge(per_trial, on="trial_id", how="inner", validate="one_to_many")


def trial_sweeps(
    results: Results,
    split: str | None = "test",
    corruption: str | None = "none",
    taus: Sequence[float] | None = None,
) -> pd.DataFrame:
    """The tau sweep of every trial (x split x corruption) with its config columns.

    Adds `bnn_reject_acc`: C's accuracy on the inputs it accepts (the paper's "BNN w/ Reject"),
    in %, NaN when everything is rejected; and `reject_acc_delta` = bnn_reject_acc - bnn_acc.
    """
    p = _select(results, split, corruption)
    sweeps = sweep_by(p, ("trial_id", "split", "corruption"), taus or results.taus)
    correct = sweeps["bnn_acc"] * sweeps["n"] / 100
    correct_rejected = (sweeps["bnn_acc_rejected"] * sweeps["n_rejected"] / 100).fillna(0.0)
    accepted = sweeps["n"] - sweeps["n_rejected"]
    sweeps["bnn_reject_acc"] = 100 * (correct - correct_rejected) / accepted.replace(0, np.nan)
    sweeps["reject_acc_delta"] = sweeps["bnn_reject_acc"] - sweeps["bnn_acc"]
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
    """The arguments every analysis script shares: the RESULTS path and the split to read."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("results", help="study dir, its results/ folder, or a trial --out dir")
    parser.add_argument("--split", default="test", choices=("test", "val"))
    return parser
