"""Where a headline gain's variance comes from: seeds, the test sample, and Monte Carlo draws.

Both headline metrics are differences of two verdicts' accuracy on the rejected set
R = {i : bnn_certainty_i < tau}, in points: GWIN − Identity (`gain_over_identity`, after = gwin,
before = identity) and the paper's Rejected Acc. Δ (`rejected_acc_delta`, after = gwin,
before = bnn). Per seed, the value is 100 · (a − b) / |R|, with a the rejected inputs only the
after-verdict gets right and b those only the before-verdict gets right. Over the seeds of a
setting (at one tau, split and corruption), with every seed whose R is empty left out:

- **seeds**: s², the sample variance (ddof = 1) over the n seeds of the per-seed value: the
  spread a reader sees (NaN with fewer than two seeds). The seeds of a study share one fixed
  test set (gwin.data), so s² holds what differs between seeds: training and the draws.
- **mc**: the mean over seeds of the Monte Carlo-draw variance of the value. Identity and BNN
  are two independent T-draw verdicts of C on the same inputs, so per input
  E[(1[identity right] − 1[bnn right])²] = 2 p_i (1 − p_i), p_i the chance one verdict is
  right, and one verdict's accuracy on R has draw variance 100² · Σ p_i (1 − p_i) / |R|²
  ≈ 100² · D / (2 |R|²), D = the rejected inputs exactly one of identity and bnn gets right.
  The value is a difference of two verdicts that each carry that noise: mc ≈ 100² · D / |R|².
  This assumes the GWIN verdict's draws vary as C's do on x; G's outputs are confident (C is
  sure of most translated inputs), so its draws vary less and mc is likely an upper bound.
- **training**: max(0, seeds − mc): the rest of the seeds' spread (generator seed, classifier
  seed, data order), a lower bound where mc overstates the draws.
- **test**: the mean over seeds of the per-seed test-sampling variance of the value,
  100² · (p₊ + p₋ − (p₊ − p₋)²) / |R|, p₊ = a / |R| and p₋ = b / |R|: the plug-in variance of
  the mean of d_i ∈ {−1, 0, +1} (after right only, neither or both, before right only) over
  the |R| inputs, what a fresh test sample would move the value by (the bootstrap interval of
  gwin.metrics.bootstrap). It is not in s² (every seed sees the same inputs) and more seeds do
  not shrink it: it is taken whole, as if the seeds' test errors were one (an upper bound).
- **mean**: seeds / n + test, the variance of the reported mean over seeds. Its shares say
  what would tighten a result: training's (max(0, seeds − mc) / n) shrinks with more seeds,
  mc's (min(mc, seeds) / n) with more seeds or more draws T, test's only with a larger test
  set. The three shares add up to 1.

Everything comes from counts: `outcome_counts` gives, per tau, how many inputs are accepted
and how many rejected ones fall in each of the 8 combinations of the gwin, identity and bnn
verdicts being right; `kinds` turns them into the five kinds of gwin.metrics.bootstrap
(accepted, both right, only after, only before, neither) for one metric, `discordant` into D.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from gwin.method.rejection import rejected
from gwin.metrics.bootstrap import gain

# The verdicts of the 8 rejected combinations, in bit order: bit 2 gwin, 1 identity, 0 bnn.
VERDICTS = ("gwin", "identity", "bnn")
# "accepted", then "rejected_GIB" with G, I, B = 1 where that verdict is right.
OUTCOMES = [
    "accepted",
    *(f"rejected_{g}{i}{b}" for g in (0, 1) for i in (0, 1) for b in (0, 1)),
]
# the two headline metrics: (column, after-verdict, before-verdict)
METRICS = (
    ("gain_over_identity", "gwin", "identity"),
    ("rejected_acc_delta", "gwin", "bnn"),
)
COMPONENTS = ("seeds", "test", "mc", "training", "mean")
SHARES = ("test", "mc", "training")  # of the mean's variance; they add up to 1


def outcome_counts(predictions: pd.DataFrame, taus: Sequence[float]) -> np.ndarray:
    """OUTCOMES counts, shaped (len(taus), 9), of ONE trial's predictions of one split and
    corruption (columns label, bnn_certainty and the three verdicts' `_pred`)."""
    label = predictions["label"].to_numpy()
    right = [predictions[f"{v}_pred"].to_numpy() == label for v in VERDICTS]
    cell = 4 * right[0] + 2 * right[1] + right[2]  # 0..7, as OUTCOMES' bits
    certainty = predictions["bnn_certainty"].to_numpy()
    rows = []
    for tau in taus:
        r = np.asarray(rejected(certainty, tau))
        rows.append([(~r).sum(), *np.bincount(cell[r], minlength=8)])
    return np.array(rows, dtype=np.int64).reshape(len(taus), len(OUTCOMES))


def _right(verdict: str) -> np.ndarray:
    """Which of the 8 rejected combinations `verdict` gets right."""
    bit = 2 - VERDICTS.index(verdict)
    return (np.arange(8) >> bit & 1).astype(bool)


def kinds(outcomes: np.ndarray, after: str, before: str) -> np.ndarray:
    """The five kinds of gwin.metrics.bootstrap (accepted, both right, only after, only
    before, neither), shaped (..., 5), from OUTCOMES counts shaped (..., 9)."""
    outcomes = np.asarray(outcomes)
    cells = outcomes[..., 1:]
    a, b = _right(after), _right(before)
    return np.stack(
        [outcomes[..., 0], *(cells[..., m].sum(axis=-1) for m in (a & b, a & ~b, ~a & b, ~a & ~b))],
        axis=-1,
    )


def discordant(outcomes: np.ndarray) -> np.ndarray:
    """D: the rejected inputs exactly one of identity and bnn gets right, shaped (...)."""
    split = _right("identity") != _right("bnn")
    return np.asarray(outcomes)[..., 1:][..., split].sum(axis=-1)


def components(per_seed_kinds: np.ndarray, per_seed_discordant: np.ndarray) -> dict[str, float]:
    """The variances (points²) of the module docstring for one metric over the seeds of a
    setting: `per_seed_kinds` (n, 5) as `kinds` gives them, `per_seed_discordant` (n,) D."""
    counts = np.asarray(per_seed_kinds, dtype=float).reshape(-1, 5)
    d = np.asarray(per_seed_discordant, dtype=float).reshape(-1)
    n_rejected = counts[:, 1:].sum(axis=1)
    keep = n_rejected > 0
    counts, d, n_rejected = counts[keep], d[keep], n_rejected[keep]
    if not len(counts):
        return dict.fromkeys(COMPONENTS, math.nan)
    values = gain(counts)
    p_plus, p_minus = counts[:, 2] / n_rejected, counts[:, 3] / n_rejected
    seeds = float(np.var(values, ddof=1)) if len(values) > 1 else math.nan
    test = float(np.mean(100**2 * (p_plus + p_minus - (p_plus - p_minus) ** 2) / n_rejected))
    mc = float(np.mean(100**2 * d / n_rejected**2))
    if math.isnan(seeds):
        return {"seeds": seeds, "test": test, "mc": mc, "training": seeds, "mean": seeds}
    training = max(0.0, seeds - mc)
    return {"seeds": seeds, "test": test, "mc": mc, "training": training,
            "mean": seeds / len(values) + test}  # fmt: skip


def shares(variances: dict[str, float], n_seeds: int) -> dict[str, float]:
    """test, mc and training as shares of the variance of the mean over `n_seeds` seeds (the
    module docstring's `mean`; NaN where it is 0 or undefined): they add up to 1."""
    total, seeds = variances["mean"], variances["seeds"]
    if not total > 0:  # False for NaN too
        return dict.fromkeys(SHARES, math.nan)
    return {
        "test": variances["test"] / total,
        "mc": min(variances["mc"], seeds) / n_seeds / total,
        "training": variances["training"] / n_seeds / total,
    }
