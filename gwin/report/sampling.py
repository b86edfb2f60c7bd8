"""Test-set and Monte Carlo noise per setting x tau, from the trials' predictions: the bootstrap
interval over test inputs, stratified by seed (gwin.metrics.bootstrap; `gwin tables --ci
bootstrap`), and the decomposition of a result's variance into test, Monte Carlo and training
(gwin.metrics.variance; `gwin tables --variance`, the report, `Study.variance`), for both
headline metrics: GWIN − Identity and the paper's Rejected Acc. Δ.

Both come from the same per-trial counts (`trial_outcomes`): each trial's predictions are read
once, for every tau asked of it, so memory is bounded by one trial whatever the study's size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from gwin.metrics.bootstrap import bootstrap_interval, gain
from gwin.metrics.labels import labels
from gwin.metrics.variance import (
    COMPONENTS,
    METRICS,
    OUTCOMES,
    SHARES,
    VERDICTS,
    components,
    discordant,
    kinds,
    outcome_counts,
    shares,
)
from gwin.report.over_seeds import interval_text
from gwin.report.stats import Results, format_mean_std

LABELS = labels(m for m, _, _ in METRICS)
BOOTSTRAP_COLUMNS = [f"{m}_boot_{end}" for m, _, _ in METRICS for end in ("low", "high")]
SD_COLUMNS = [f"{m}_sd_{c}" for m, _, _ in METRICS for c in COMPONENTS]
SHARE_COLUMNS = [f"{m}_share_{c}" for m, _, _ in METRICS for c in SHARES]
VARIANCE_COLUMNS = ["n_seeds", *(f"{m}_mean" for m, _, _ in METRICS), *SD_COLUMNS, *SHARE_COLUMNS]
SHOWN = {"test": "test", "mc": "MC", "training": "training"}
PREDICTION_COLUMNS = ["label", "bnn_certainty", *(f"{v}_pred" for v in VERDICTS)]


def trial_outcomes(
    results: Results, rows: pd.DataFrame, split: str = "test", corruption: str = "none"
) -> pd.DataFrame:
    """`rows` (a `trial_id` and a `tau` column, plus any other, e.g. a table's grouping
    columns) with the OUTCOMES counts of gwin.metrics.variance of the row's trial at its tau on
    `split` / `corruption`. Each trial's predictions are read once, for all of its rows' taus."""
    counts = pd.DataFrame(0, index=rows.index, columns=OUTCOMES, dtype=np.int64)
    for trial_id, part in rows.groupby("trial_id", sort=False):
        predictions = results.read(
            "predictions", trial_ids=[trial_id], columns=PREDICTION_COLUMNS,
            split=split, corruption=corruption,
        )  # fmt: skip
        counts.loc[part.index] = outcome_counts(predictions, part["tau"].astype(float).to_numpy())
    return rows.join(counts)


def _groups(outcomes: pd.DataFrame, by: Sequence[str]):
    """(key tuple, its seeds' OUTCOMES counts shaped (seeds, 9)) per `by` group, in the order
    and with the NaN handling of gwin.report.stats.aggregate."""
    for key, group in outcomes.groupby(list(by), dropna=False, sort=True):
        yield key, group[OUTCOMES].to_numpy()


def bootstrap_cis(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per `by` group, for both metrics, the 95% bootstrap interval over test inputs,
    stratified by seed (BOOTSTRAP_COLUMNS); a fixed rng seed makes it repeatable."""
    rows = []
    for key, counts in _groups(outcomes, by):
        cells: list[float] = []
        for _, after, before in METRICS:
            cells += bootstrap_interval(list(kinds(counts, after, before)), seed=0)[1:]
        rows.append((*key, *cells))
    return pd.DataFrame(rows, columns=[*by, *BOOTSTRAP_COLUMNS])


def variance_by(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per `by` group (VARIANCE_COLUMNS): the seeds whose rejected set is not empty
    (`n_seeds`), and per metric its mean over them, the standard deviation in points of each
    variance component (`{metric}_sd_{seeds,test,mc,training,mean}`) and the shares of the
    mean's variance of test, mc and training (`{metric}_share_...`, adding up to 1)."""
    rows = []
    for key, counts in _groups(outcomes, by):
        n_seeds = int((counts[:, 1:].sum(axis=1) > 0).sum())
        means: list[float] = []
        sds: list[float] = []
        parts: list[float] = []
        for _, after, before in METRICS:
            per_seed = kinds(counts, after, before)
            variances = components(per_seed, discordant(counts))
            means.append(float(np.nanmean(gain(per_seed))) if n_seeds else math.nan)
            sds += [math.sqrt(variances[c]) for c in COMPONENTS]
            parts += shares(variances, n_seeds).values()
        rows.append((*key, n_seeds, *means, *sds, *parts))
    return pd.DataFrame(rows, columns=[*by, *VARIANCE_COLUMNS])


def bootstrap_cells(agg: pd.DataFrame) -> dict[str, list[str]]:
    """The bootstrap intervals of an aggregate carrying BOOTSTRAP_COLUMNS, as display strings
    under headers like the t-interval's (gwin.report.over_seeds) that say "bootstrap"."""
    return {
        f"{label} 95% bootstrap CI": interval_text(agg[f"{m}_boot_low"], agg[f"{m}_boot_high"])
        for m, label in LABELS.items()
    }


def variance_cells(agg: pd.DataFrame) -> dict[str, list[str]]:
    """`variance_by` as display strings: per metric its mean ± the seeds' sd and the sd of that
    mean, then the sd in points of test, MC and training, each with its share of the mean's
    variance."""
    shown: dict[str, list[str]] = {}
    for m, label in LABELS.items():
        shown[f"{label} (mean ± sd over seeds)"] = [
            format_mean_std(mean, sd) for mean, sd in zip(agg[f"{m}_mean"], agg[f"{m}_sd_seeds"],
                                                          strict=True)
        ]  # fmt: skip
        shown[f"{label}: sd of the mean"] = [_sd_share(sd, math.nan) for sd in agg[f"{m}_sd_mean"]]
        for c, name in SHOWN.items():
            shown[f"{label}: {name} sd (share)"] = [
                _sd_share(sd, share)
                for sd, share in zip(agg[f"{m}_sd_{c}"], agg[f"{m}_share_{c}"], strict=True)
            ]
    return shown


def _sd_share(sd: float, share: float) -> str:
    if math.isnan(sd):
        return "n/a"
    return f"{sd:.2f}" if math.isnan(share) else f"{sd:.2f} ({100 * share:.0f}%)"
