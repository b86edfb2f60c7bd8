"""From Parquet results to mean +- std over seeds: the numbers behind every table and report.

Per trial, the tau sweep (gwin.metrics.sweep) and the selective-classification areas
(gwin.metrics.selective) were computed once from its per-input predictions when the trial was
written (gwin.metrics.summary); here they are read back and joined with the trial's config
columns; `aggregate` then takes mean, std and count over the trials of each group
with pandas. std uses ddof=1, so a group with one seed has an undefined (NaN) std, shown as
"n/a" by `format_mean_std`, never as 0.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import fields

import numpy as np
import pandas as pd

from gwin.config import RUNTIME_FIELDS, TrialConfig
from gwin.errors import GwinError
from gwin.metrics.selective import SELECTIVE_COLUMNS
from gwin.metrics.sweep import SWEEP_COLUMNS
from gwin.store.reader import Results

SWEEP_METRICS = [c for c in SWEEP_COLUMNS if c != "tau"]
# The per-input columns Figure 5 and the risk-coverage curves need.
FIGURE_COLUMNS = [
    "label",
    *(f"{v}_{c}" for v in ("bnn", "gwin") for c in ("pred", "certainty", "gt_certainty")),
]
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


def _available(results: Results) -> list[tuple[str, str]]:
    sweeps = results.read("sweeps", columns=["split", "corruption"])
    return sorted(set(zip(sweeps["split"], sweeps["corruption"], strict=True)))


def _read(
    results: Results, table: str, split: str | None, corruption: str | None, **kw
) -> pd.DataFrame:
    frame = results.read(table, split=split, corruption=corruption, **kw)
    if frame.empty:
        raise GwinError(
            f"no predictions for split={split!r}, corruption={corruption!r}; "
            f"available (split, corruption): {_available(results)}"
        )
    return frame


def predictions_by_block(
    results: Results,
    split: str | None = "test",
    corruption: str | None = "none",
    columns: Sequence[str] | None = None,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """("dataset / classifier", its trials' predictions of one split / corruption), one block at
    a time, with only `columns` (plus trial_id) read: memory is bounded by one block."""
    wanted = None if columns is None else ["trial_id", *columns]
    for (dataset, classifier), trials in results.trials.groupby(TABLE_KEYS, sort=True):
        p = _read(results, "predictions", split, corruption,
                  trial_ids=list(trials["trial_id"]), columns=wanted)  # fmt: skip
        yield f"{dataset} / {classifier}", p


def examples_by_block(results: Results) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """("dataset / classifier", trial_id, its examples) for the first trial (by id) of each
    block that kept examples; reads one trial's examples at a time."""
    for (dataset, classifier), trials in results.trials.groupby(TABLE_KEYS, sort=True):
        for trial in sorted(trials["trial_id"]):
            examples = results.examples([trial])
            if not examples.empty:
                yield f"{dataset} / {classifier}", trial, examples
                break


def _with_config(per_trial: pd.DataFrame, results: Results) -> pd.DataFrame:
    config = results.trials[["trial_id", *config_columns(results.trials)]]
    return config.merge(per_trial, on="trial_id", how="inner", validate="one_to_many")


def trial_sweeps(
    results: Results,
    split: str | None = "test",
    corruption: str | None = "none",
    taus: Sequence[float] | None = None,
) -> pd.DataFrame:
    """The stored tau sweep of every trial (x split x corruption) with its config columns;
    `taus`: only those (each must have been evaluated)."""
    sweeps = _read(results, "sweeps", split, corruption)
    if taus is not None:
        sweeps = pd.concat([at_tau(sweeps, t) for t in taus], ignore_index=True)
    return _with_config(sweeps, results)


def trial_selective(
    results: Results, split: str | None = "test", corruption: str | None = "none"
) -> pd.DataFrame:
    """AURC in % of the BNN and of BNN+GWIN for every trial (x split x corruption), with config."""
    return _with_config(_read(results, "selective", split, corruption), results)


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


def pool(aggregates: Sequence[pd.DataFrame], by: Sequence[str]) -> pd.DataFrame:
    """Several `aggregate` outputs (e.g. one per seed, as committed CSVs) as the aggregate of all
    their trials, exactly: per group and metric, the pooled mean weights each part's mean by its
    count, and the pooled sum of squares adds each part's within ((count - 1) · std²) and between
    (count · (mean - pooled mean)²) parts, so the std is the ddof=1 std of the trials together."""
    stacked = pd.concat(aggregates, ignore_index=True)
    metrics = [c.removesuffix("_mean") for c in stacked.columns if c.endswith("_mean")]
    rows = []
    for key, part in stacked.groupby(list(by), dropna=False, sort=True):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["n_trials"] = int(part["n_trials"].sum())
        for metric in metrics:
            defined = part[part[f"{metric}_count"] > 0]
            n, mean = defined[f"{metric}_count"], defined[f"{metric}_mean"]
            total = int(n.sum())
            pooled = float((n * mean).sum() / total) if total else math.nan
            squares = ((n - 1) * defined[f"{metric}_std"].fillna(0.0) ** 2).sum()
            squares += (n * (mean - pooled) ** 2).sum()
            row[f"{metric}_mean"] = pooled
            row[f"{metric}_std"] = math.sqrt(squares / (total - 1)) if total > 1 else math.nan
            row[f"{metric}_count"] = total
        rows.append(row)
    return pd.DataFrame(rows)


def read_aggregates(paths: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Per-tau tables written by `gwin tables STUDY --format csv` (an `aggregate`, e.g. the
    committed docs/data/*_test_by_tau.csv) pooled into one, and the keys they are grouped by
    besides dataset and classifier. Each file must be one set of trials: a file given twice, or
    tables grouped by different keys, are refused."""
    if len({os.path.realpath(p) for p in paths}) < len(paths):
        raise GwinError("a per-tau table is given twice: it would count twice; pass each once")
    frames, keys = [], None
    for path in paths:
        try:
            frame = pd.read_csv(path)
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
            raise GwinError(f"cannot read per-tau table {path}: {error}") from None
        columns = list(frame.columns)
        if not {*TABLE_KEYS, "tau", "n_trials"} <= set(columns):
            raise GwinError(
                f"{path} is not a per-tau table (it needs dataset, classifier, tau, n_trials); "
                "write one with `gwin tables STUDY --by iterations --format csv`"
            )
        own = [c for c in columns[: columns.index("n_trials")] if c not in TABLE_KEYS]
        if keys is not None and own != keys:
            raise GwinError(
                f"{path} is grouped by {', '.join(own)}, {paths[0]} by {', '.join(keys)}: "
                "pool tables grouped alike (the same `gwin tables --by`)"
            )
        keys = own
        frames.append(frame)
    assert keys is not None
    return pool(frames, [*TABLE_KEYS, *keys]), keys


def at_tau(frame: pd.DataFrame, tau: float) -> pd.DataFrame:
    """Rows of a per-trial or aggregated sweep at `tau` (float-tolerant)."""
    rows = frame[np.isclose(frame["tau"].astype(float), tau)]
    if rows.empty:
        taus = ", ".join(f"{t:g}" for t in sorted(frame["tau"].astype(float).unique()))
        raise GwinError(f"tau={tau:g} was not evaluated; choose one of {taus}")
    return rows


def format_mean_std(mean: float, std: float, digits: int = 2, pm: str = " ± ") -> str:
    """Format as "m ± s"; an undefined mean is "n/a", an undefined std (one seed) "m ± n/a"."""
    if mean is None or math.isnan(mean):
        return "n/a"
    spread = "n/a" if std is None or math.isnan(std) else f"{std:.{digits}f}"
    return f"{mean:.{digits}f}{pm}{spread}"
