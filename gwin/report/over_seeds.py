"""Inference over seeds: is the GWIN's gain more than seed-to-seed variation? For every group
of trials (a setting x tau), the seeds are the samples. Both metrics, each with its own test:
ours, GWIN − Identity (BNN+GWIN against C re-drawn on the unchanged x), and the paper's,
Rejected Acc. Δ (BNN+GWIN against the BNN's first verdict).

- 95% t-interval of the mean gain, mean ± t_{0.975, n-1} · s / sqrt(n), s the std (ddof=1).
- Paired t-test of BNN+GWIN against the baseline on the rejected subset, seed by seed: a seed's
  two accuracies share its classifier, data order and rejected set, so the pairs are what
  differs. Two-sided, df = n - 1.

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
from gwin.metrics.labels import LABELS

GAIN = "gain_over_identity"
PAIR = ("gwin_acc_rejected", "identity_acc_rejected")
PAPER_GAIN = "rejected_acc_delta"
PAPER_PAIR = ("gwin_acc_rejected", "bnn_acc_rejected")
LEVEL = 0.95
# per metric: (its column, the pair it is the difference of, the p column, the headers)
TESTS = (
    (GAIN, PAIR, "paired_t_p", (f"{LABELS[GAIN]} 95% CI", "paired t p")),
    (
        PAPER_GAIN,
        PAPER_PAIR,
        "paired_t_p_vs_bnn",
        (f"{LABELS[PAPER_GAIN]} 95% CI", "paired t p vs BNN"),
    ),  # fmt: skip
)
INFERENCE_COLUMNS = [c for m, _, p, _ in TESTS for c in (f"{m}_ci_low", f"{m}_ci_high", p)]


def t_interval(values: ArrayLike, level: float = LEVEL) -> tuple[float, float]:
    """The t-interval of the mean of `values`; NaN bounds with fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return math.nan, math.nan
    return t_interval_of(float(x.mean()), float(x.std(ddof=1)), len(x), level)


def t_interval_of(mean: float, std: float, n: int, level: float = LEVEL) -> tuple[float, float]:
    """`t_interval` from a mean, its std (ddof=1) and the number of values it came from."""
    from scipy.stats import t  # deferred: scipy.stats costs ~0.3 s to import

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
    """Per `by` group and metric: the t-interval of the gain and the paired t-test's p. Trials
    whose rejected set is empty at a tau (gain undefined) are left out of that tau."""
    needed = [*by, *(c for metric, pair, _, _ in TESTS for c in (metric, *pair))]
    if missing := sorted({c for c in needed if c not in per_trial.columns}):
        raise GwinError(f"cannot test over seeds: no column {missing} in the trials' sweeps")
    rows = []
    for key, group in per_trial.groupby(list(by), dropna=False, sort=True):
        cells: list[float] = []
        for metric, pair, _, _ in TESTS:
            defined = group.dropna(subset=[metric, *pair])
            cells += [*t_interval(defined[metric]), paired_t_p(defined[pair[0]], defined[pair[1]])]
        rows.append((*key, *cells))
    return pd.DataFrame(rows, columns=[*by, *INFERENCE_COLUMNS])


def inference_cells(agg: pd.DataFrame) -> pd.DataFrame:
    """The intervals and p's of an aggregate that carries INFERENCE_COLUMNS, as display strings."""
    shown = {}
    for metric, _, p_column, (ci_header, p_header) in TESTS:
        low, high, p = (agg[c].to_numpy(dtype=float) for c in
                        (f"{metric}_ci_low", f"{metric}_ci_high", p_column))  # fmt: skip
        shown[ci_header] = interval_text(low, high)
        shown[p_header] = ["n/a" if math.isnan(v) else f"{v:.2g}" for v in p]
    return pd.DataFrame(shown)


def interval_text(low: ArrayLike, high: ArrayLike) -> list[str]:
    """Intervals in points as "[+low, +high]", "n/a" where undefined."""
    return [
        "n/a" if math.isnan(lo) else f"[{lo:+.2f}, {hi:+.2f}]"
        for lo, hi in zip(np.asarray(low, dtype=float), np.asarray(high, dtype=float), strict=True)
    ]
