"""Bootstrap interval over test inputs, stratified by seed, for a gain on the rejected set.

The headline metrics are differences of two verdicts' accuracy on the rejected set
R = {i : bnn_certainty_i < tau} (GWIN − Identity: gwin against identity; the paper's Rejected
Acc. Δ: gwin against bnn), averaged over seeds. The t-interval over seeds
(gwin.report.over_seeds) treats each seed's value as exact; this interval instead resamples each
seed's test inputs with replacement (its own n, independently per seed: stratified by seed),
recomputes every seed's gain on the resampled rejected set and averages over seeds, and takes
the percentile interval of that mean. It measures the test set's sampling noise for the seeds
at hand, not seed-to-seed variation.

Only which of five kinds an input is matters to a gain: not rejected, or rejected with
(after right, before right), (right, wrong), (wrong, right), (wrong, wrong). A resample of n
inputs is therefore a multinomial draw of those five counts, which gives the same distribution
as drawing indices and costs O(resamples) per seed, not O(resamples x n).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from gwin.method.rejection import rejected

LEVEL = 0.95
RESAMPLES = 2000


def kind_counts(predictions: pd.DataFrame, tau: float, after: str, before: str) -> np.ndarray:
    """Counts of the five kinds (not rejected, both right, only after, only before, neither) in
    ONE trial's predictions of one split and corruption."""
    label = predictions["label"].to_numpy()
    r = np.asarray(rejected(predictions["bnn_certainty"].to_numpy(), tau))
    a = predictions[f"{after}_pred"].to_numpy() == label
    b = predictions[f"{before}_pred"].to_numpy() == label
    return np.array(
        [(~r).sum(), (r & a & b).sum(), (r & a & ~b).sum(), (r & ~a & b).sum(), (r & ~a & ~b).sum()]
    )


def gain(counts: np.ndarray) -> np.ndarray:
    """The gain in points, 100 * (only after - only before) / |R|, of counts shaped (..., 5);
    NaN where R is empty."""
    counts = np.asarray(counts, dtype=float)
    n_rejected = counts[..., 1:].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            n_rejected > 0, 100 * (counts[..., 2] - counts[..., 3]) / n_rejected, np.nan
        )


def bootstrap_interval(
    per_seed: Sequence[np.ndarray],
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(mean over seeds of the gain, low, high): the percentile interval of the mean over seeds
    when each seed's inputs are resampled; `per_seed` holds each seed's `kind_counts`. A seed
    whose resample rejects nothing is left out of that resample's mean."""
    if not per_seed:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = []
    for counts in per_seed:
        n = int(counts.sum())
        draws.append(gain(rng.multinomial(n, counts / n, size=resamples)))
    with warnings.catch_warnings():  # an all-NaN mean (nothing rejected) is NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        estimate = float(np.nanmean(gain(np.stack(per_seed))))
        means = np.nanmean(np.stack(draws), axis=0)
    means = means[~np.isnan(means)]
    if not len(means):
        return estimate, float("nan"), float("nan")
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(means, [tail, 100 - tail])
    return estimate, float(low), float(high)
