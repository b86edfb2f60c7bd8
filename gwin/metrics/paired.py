"""Is the GWIN's gain on the rejected subset more than Monte Carlo noise? A paired test.

On the rejected set R = {i : bnn_certainty_i < tau}, every input has two verdicts: the BNN's
label and the BNN+GWIN label. `rejected_acc_delta` is (fixed - broken) / |R|, where `fixed`
counts inputs only BNN+GWIN gets right and `broken` those only the BNN gets right. Inputs on
which both agree say nothing about the difference, so the exact McNemar test is a two-sided
binomial test of `fixed` out of `fixed + broken` at p = 1/2.

Why it matters here: rejected inputs are the ones C is unsure of, so C's label on them flips
between Monte Carlo draws. Even an identity G "fixes" and "breaks" hundreds of test inputs, and
a small delta from one trial can be that noise alone.
"""

from __future__ import annotations

import pandas as pd

from gwin.method.rejection import rejected

PAIRED_COLUMNS = ["tau", "n_rejected", "fixed", "broken", "mcnemar_p"]


def mcnemar_exact(fixed: int, broken: int) -> float:
    """Two-sided exact McNemar p-value: P(|X - n/2| >= |fixed - n/2|), X ~ Binomial(n, 1/2),
    through scipy's exact binomial test."""
    if fixed < 0 or broken < 0:
        raise ValueError(f"counts must be >= 0, got fixed={fixed}, broken={broken}")
    if fixed + broken == 0:
        return 1.0
    from scipy.stats import binomtest  # deferred: scipy.stats costs ~0.3 s to import

    return float(binomtest(fixed, fixed + broken, 0.5).pvalue)


def paired_counts(
    predictions: pd.DataFrame, tau: float, after: str = "gwin", before: str = "bnn"
) -> dict[str, float]:
    """Fixed / broken counts and the McNemar p-value on the rejected set at `tau`: inputs that
    `after`'s label gets right and `before`'s wrong, and the reverse.

    `predictions` holds ONE trial, split and corruption (columns label, bnn_certainty and
    `<before>_pred`, `<after>_pred`), as for `gwin.metrics.sweep.tau_sweep`. after="identity"
    gives the identity baseline's counts; after="gwin", before="identity" tests the GWIN
    against that baseline.
    """
    rows = predictions[rejected(predictions["bnn_certainty"], tau)]
    bnn_ok = rows[f"{before}_pred"] == rows["label"]
    gwin_ok = rows[f"{after}_pred"] == rows["label"]
    fixed, broken = int((gwin_ok & ~bnn_ok).sum()), int((bnn_ok & ~gwin_ok).sum())
    return {
        "tau": float(tau),
        "n_rejected": len(rows),
        "fixed": fixed,
        "broken": broken,
        "mcnemar_p": mcnemar_exact(fixed, broken),
    }
