"""Accept / translate / abstain: the GWIN as a second chance that may still abstain.

At the rejection threshold tau and a second threshold sigma on the translated input's certainty
g = certainty of C(G(x, z)), input i is
- *accepted* and answered with C's label if c_i >= tau,
- else *translated* and answered with C(G(x_i, z))'s label if g_i >= sigma,
- else *abstained* on.
`operating_point` gives the three counts and the accuracy on what is answered.

**Curves** (accuracy, or risk = 1 - accuracy, against coverage = the share answered), one per
system, each a step function read in increasing coverage:
- *BNN alone* answers everything: one point, coverage 1, risk = C's error rate.
- *BNN w/ reject*: C's label where c >= t, for every threshold t (gwin.metrics.selective).
- *BNN+GWIN, three-way* at a fixed tau: first the BNN w/ reject curve for t >= tau (C answers
  its most certain inputs), then, with every c >= tau accepted, the rejected inputs are answered
  with C(G(x, z))'s label in decreasing g as sigma goes down, up to coverage 1 (sigma = min g).
  Up to the accepted share it is BNN w/ reject's curve; beyond it, the translated labels in
  their own certainty order replace C's low-certainty labels in C's order.

**AURC** is the step-function area under a risk curve (`gwin.metrics.selective.area`), in %.
BNN alone's is its error rate; the three-way's is below BNN w/ reject's exactly when answering
the rejected inputs through the GWIN, in g order, errs less than C's own labels in c order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gwin.metrics.selective import _arrays, _columns, _count_ge, area, risk_coverage

THREE_WAY_CURVE_COLUMNS = ["threshold", "stage", "n_answered", "coverage", "risk"]
THREE_WAY_COLUMNS = ["bnn_alone_aurc", "bnn_reject_aurc", "three_way_aurc"]
METHODS = {
    "bnn_alone_aurc": "BNN alone",
    "bnn_reject_aurc": "BNN w/ reject",
    "three_way_aurc": "BNN+GWIN (accept/translate/abstain)",
}


def operating_point(
    certainty: ArrayLike,
    bnn_correct: ArrayLike,
    gwin_certainty: ArrayLike,
    gwin_correct: ArrayLike,
    tau: float,
    sigma: float,
) -> dict[str, float]:
    """Counts of accepted, translated and abstained inputs at (tau, sigma), the share answered
    (coverage) and the accuracy in % on the answered ones (NaN if none is)."""
    c, bnn_ok, g, gwin_ok = _arrays(certainty, bnn_correct, gwin_certainty, gwin_correct)
    accept = c >= tau
    translate = ~accept & (g >= sigma)
    answered = int(accept.sum() + translate.sum())
    right = int((accept & bnn_ok.astype(bool)).sum() + (translate & gwin_ok.astype(bool)).sum())
    return {
        "accepted": int(accept.sum()),
        "translated": int(translate.sum()),
        "abstained": len(c) - answered,
        "coverage": answered / len(c),
        "accuracy": 100.0 * right / answered if answered else float("nan"),
    }


def three_way_curve(
    certainty: ArrayLike,
    bnn_correct: ArrayLike,
    gwin_certainty: ArrayLike,
    gwin_correct: ArrayLike,
    tau: float,
) -> pd.DataFrame:
    """The three-way risk-coverage curve at `tau` (module docstring): `stage` is "accept" for
    the points of C's own labels (threshold = t) and "translate" for those that add translated
    inputs (threshold = sigma)."""
    c, bnn_ok, g, gwin_ok = _arrays(certainty, bnn_correct, gwin_certainty, gwin_correct)
    bnn_ok, gwin_ok = bnn_ok.astype(bool), gwin_ok.astype(bool)
    n = len(c)
    accept = c >= tau
    ts = np.unique(c[accept])[::-1]  # decreasing t: increasing coverage
    answered = _count_ge(c, ts)
    errors = _count_ge(c[~bnn_ok], ts)
    n_accept, e_accept = int(accept.sum()), int((accept & ~bnn_ok).sum())
    rg, rg_wrong = g[~accept], g[~accept & ~gwin_ok]
    sigmas = np.unique(rg)[::-1]
    answered = np.concatenate([answered, n_accept + _count_ge(rg, sigmas)])
    errors = np.concatenate([errors, e_accept + _count_ge(rg_wrong, sigmas)])
    return pd.DataFrame(
        {
            "threshold": np.concatenate([ts, sigmas]),
            "stage": ["accept"] * len(ts) + ["translate"] * len(sigmas),
            "n_answered": answered.astype(np.int64),
            "coverage": answered / n,
            "risk": errors / answered,
        },
        columns=THREE_WAY_CURVE_COLUMNS,
    )


def curves(predictions: pd.DataFrame, tau: float) -> pd.DataFrame:
    """The three systems' curves of ONE trial, split and corruption, with a `method` column."""
    c, bnn_ok, g, gwin_ok = _columns(predictions)
    alone = pd.DataFrame({"coverage": [1.0], "risk": [1.0 - bnn_ok.mean()]})
    return pd.concat(
        [
            alone.assign(method=METHODS["bnn_alone_aurc"]),
            risk_coverage(c, bnn_ok).assign(method=METHODS["bnn_reject_aurc"]),
            three_way_curve(c, bnn_ok, g, gwin_ok, tau).assign(method=METHODS["three_way_aurc"]),
        ],
        ignore_index=True,
    )


def three_way_aurc(predictions: pd.DataFrame, tau: float) -> dict[str, float]:
    """AURC in % of the three systems for ONE trial, split and corruption (THREE_WAY_COLUMNS)."""
    both = curves(predictions, tau)
    return {
        column: 100 * area(both[both["method"] == method]) for column, method in METHODS.items()
    }
