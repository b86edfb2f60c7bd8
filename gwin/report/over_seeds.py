"""Inference over seeds: is the GWIN's gain over the identity baseline more than seed-to-seed
variation? For every group of trials (a setting x tau), the seeds are the samples.

- 95% t-interval of the mean gain, mean ± t_{0.975, n-1} · s / sqrt(n), s the std (ddof=1).
- Paired t-test of BNN+GWIN against the identity baseline (C re-drawn on the unchanged x) on
  the rejected subset, seed by seed: a seed's two accuracies share its classifier, data order
  and rejected set, so the pairs are what differs. Two-sided, df = n - 1.

This asks a different question from McNemar (gwin.metrics.paired), which tests one trial's
inputs: with 3 seeds, only a gain that is large against its spread reaches p < 0.05.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gwin.errors import GwinError

GAIN = "gain_over_identity"
PAIR = ("gwin_acc_rejected", "identity_acc_rejected")
LEVEL = 0.95
INFERENCE_COLUMNS = [f"{GAIN}_ci_low", f"{GAIN}_ci_high", "paired_t_p"]
INFERENCE_HEADERS = {"ci": "GWIN − Identity 95% CI", "p": "paired t p"}


def t_interval(values: ArrayLike, level: float = LEVEL) -> tuple[float, float]:
    """The t-interval of the mean of `values`; NaN bounds with fewer than 2 values."""
    from scipy.stats import t  # deferred: scipy.stats costs ~0.3 s to import

    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return math.nan, math.nan
    half = t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


def t_interval_of(mean: float, std: float, n: int, level: float = LEVEL) -> tuple[float, float]:
    """`t_interval` from a mean, its std (ddof=1) and the number of values it came from."""
    from scipy.stats import t

    if n < 2 or math.isnan(std):
        return math.nan, math.nan
    half = t.ppf((1 + level) / 2, n - 1) * std / math.sqrt(n)
    return mean - half, mean + half


def paired_t_p(a: ArrayLike, b: ArrayLike) -> float:
    """Two-sided p of the paired t-test of a against b; NaN with fewer than 2 pairs or no
    spread in the differences (t undefined)."""
    from scipy.stats import ttest_rel

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    # Accuracies are k / |R| in percent: differences that agree to 1e-9 are the same count.
    if len(x) < 2 or np.allclose(x - y, (x - y)[0], rtol=0, atol=1e-9):
        return math.nan
    return float(ttest_rel(x, y).pvalue)


def over_seeds(per_trial: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per `by` group: the t-interval of the gain over the identity and the paired t-test's p.
    Trials whose rejected set is empty at a tau (gain undefined) are left out of that tau."""
    missing = [c for c in [*by, GAIN, *PAIR] if c not in per_trial.columns]
    if missing:
        raise GwinError(f"cannot test over seeds: no column {missing} in the trials' sweeps")
    rows = []
    for key, group in per_trial.groupby(list(by), dropna=False, sort=True):
        defined = group.dropna(subset=[GAIN, *PAIR])
        low, high = t_interval(defined[GAIN])
        p = paired_t_p(defined[PAIR[0]], defined[PAIR[1]])
        rows.append((*key, low, high, p))
    return pd.DataFrame(rows, columns=[*by, *INFERENCE_COLUMNS])


def inference_cells(agg: pd.DataFrame) -> pd.DataFrame:
    """The interval and p of an aggregate that carries INFERENCE_COLUMNS, as display strings."""
    low, high, p = (agg[c].to_numpy(dtype=float) for c in INFERENCE_COLUMNS)
    return pd.DataFrame(
        {
            INFERENCE_HEADERS["ci"]: [
                "n/a" if math.isnan(lo) else f"[{lo:+.2f}, {hi:+.2f}]"
                for lo, hi in zip(low, high, strict=True)
            ],
            INFERENCE_HEADERS["p"]: ["n/a" if math.isnan(v) else f"{v:.2g}" for v in p],
        }
    )
