"""Selective classification: risk-coverage curves and AURC for the BNN alone and for BNN+GWIN.

**BNN alone.** The rejection function r(c, y') = y' if c >= t else reject (docs/design.md section 1)
is a selective classifier for every threshold t. At threshold t it accepts A(t) = {i : c_i >= t};
coverage(t) = |A(t)| / N and risk(t) = (errors of C on A(t)) / |A(t)|. The curve has one point per
distinct certainty value (tied inputs are accepted or rejected together, as r does), ordered by
coverage. The risk at coverage 1 is C's error rate.

**BNN+GWIN ("second chance").** Relabelling every rejected input gives coverage 1 at every t, so
it has no curve of its own. The selective classifier that uses the GWIN applies the same rejection
function twice: input i is answered with C's label if c_i >= t; otherwise it is translated and
answered with C(G(x_i, z))'s label if that prediction's own certainty g_i >= t; otherwise it is
rejected. So A(t) = {i : max(c_i, g_i) >= t}, and an answered input is wrong if its chosen label
is wrong. Breakpoints are the distinct values of c and g. At t = min(c) both systems answer every
input with C's label, so both curves end at C's error rate; at any t the GWIN's coverage is at
least the BNN's. A lower curve (smaller AURC) means the translation answers uncertain inputs more
reliably than abstaining would cost.

**AURC** is the area under the curve drawn as a step function: with points (coverage_j, risk_j)
in increasing coverage and coverage_0 = 0, AURC = sum_j (coverage_j - coverage_{j-1}) * risk_j.
Without ties and for the BNN alone this is the usual mean over k = 1..N of the risk of the k most
certain inputs (Geifman et al., 2019). Coverage and risk are fractions in [0, 1]; `selective_by`
reports AURC in % (100 x area) like every other platform metric.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gwin.errors import GwinError

CURVE_COLUMNS = ["threshold", "n_accepted", "coverage", "risk"]
SELECTIVE_COLUMNS = ["bnn_aurc", "gwin_aurc", "aurc_delta"]


def _count_ge(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """For each threshold t, how many `values` are >= t."""
    ordered = np.sort(values)
    return len(ordered) - np.searchsorted(ordered, thresholds, side="left")


def _curve(thresholds: np.ndarray, accepted: np.ndarray, errors: np.ndarray, n: int):
    order = np.argsort(-thresholds, kind="stable")  # decreasing t = increasing coverage
    accepted, errors, thresholds = accepted[order], errors[order], thresholds[order]
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "n_accepted": accepted.astype(np.int64),
            "coverage": accepted / n,
            "risk": errors / accepted,
        },
        columns=CURVE_COLUMNS,
    )


def _arrays(*columns: ArrayLike) -> list[np.ndarray]:
    arrays = [np.asarray(c) for c in columns]
    if len({len(a) for a in arrays}) != 1:
        raise GwinError("certainty and correctness arrays must have the same length")
    if len(arrays[0]) == 0:
        raise GwinError("risk-coverage needs at least one input; the selection is empty")
    return arrays


def risk_coverage(certainty: ArrayLike, correct: ArrayLike) -> pd.DataFrame:
    """The BNN's risk-coverage curve: columns threshold, n_accepted, coverage, risk."""
    c, ok = _arrays(certainty, correct)
    ok = ok.astype(bool)
    thresholds = np.unique(c)
    accepted = _count_ge(c, thresholds)
    errors = _count_ge(c[~ok], thresholds)
    return _curve(thresholds, accepted, errors, len(c))


def gwin_risk_coverage(
    bnn_certainty: ArrayLike,
    bnn_correct: ArrayLike,
    gwin_certainty: ArrayLike,
    gwin_correct: ArrayLike,
) -> pd.DataFrame:
    """The BNN+GWIN ("second chance") risk-coverage curve defined in the module docstring."""
    c, bnn_ok, g, gwin_ok = _arrays(bnn_certainty, bnn_correct, gwin_certainty, gwin_correct)
    bnn_ok, gwin_ok = bnn_ok.astype(bool), gwin_ok.astype(bool)
    thresholds = np.unique(np.concatenate([c, g]))
    accepted = _count_ge(np.maximum(c, g), thresholds)
    # GWIN-answered errors = #{g >= t, gwin wrong} - #{c >= t and g >= t, gwin wrong}
    errors = (
        _count_ge(c[~bnn_ok], thresholds)
        + _count_ge(g[~gwin_ok], thresholds)
        - _count_ge(np.minimum(c, g)[~gwin_ok], thresholds)
    )
    keep = accepted > 0  # thresholds above every max(c, g) answer nothing
    return _curve(thresholds[keep], accepted[keep], errors[keep], len(c))


def area(curve: pd.DataFrame) -> float:
    """Step-function area under a risk-coverage curve (rows in increasing coverage)."""
    coverage = curve["coverage"].to_numpy()
    widths = np.diff(coverage, prepend=0.0)
    return float(np.sum(widths * curve["risk"].to_numpy()))


def aurc(certainty: ArrayLike, correct: ArrayLike) -> float:
    """Area under the BNN's risk-coverage curve, as a fraction (0 = never wrong)."""
    return area(risk_coverage(certainty, correct))


def gwin_aurc(
    bnn_certainty: ArrayLike,
    bnn_correct: ArrayLike,
    gwin_certainty: ArrayLike,
    gwin_correct: ArrayLike,
) -> float:
    """Area under the BNN+GWIN ("second chance") risk-coverage curve, as a fraction."""
    return area(gwin_risk_coverage(bnn_certainty, bnn_correct, gwin_certainty, gwin_correct))


def _columns(group: pd.DataFrame) -> tuple[np.ndarray, ...]:
    label = group["label"].to_numpy()
    return (
        group["bnn_certainty"].to_numpy(),
        group["bnn_pred"].to_numpy() == label,
        group["gwin_certainty"].to_numpy(),
        group["gwin_pred"].to_numpy() == label,
    )


def curves(predictions: pd.DataFrame) -> pd.DataFrame:
    """Both curves of ONE trial, split and corruption, stacked with a `method` column."""
    c, bnn_ok, g, gwin_ok = _columns(predictions)
    bnn = risk_coverage(c, bnn_ok).assign(method="BNN w/ reject")
    gwin = gwin_risk_coverage(c, bnn_ok, g, gwin_ok).assign(method="BNN+GWIN w/ reject")
    return pd.concat([bnn, gwin], ignore_index=True)


def selective_by(
    predictions: pd.DataFrame, keys: Sequence[str] = ("trial_id", "split", "corruption")
) -> pd.DataFrame:
    """AURC in % of the BNN and of BNN+GWIN, and their difference, for every group of `keys`."""
    keys = [k for k in keys if k in predictions.columns]
    rows = []
    for values, group in predictions.groupby(keys, sort=True, observed=True):
        bnn = 100 * aurc(*_columns(group)[:2])
        gwin = 100 * gwin_aurc(*_columns(group))
        values = values if isinstance(values, tuple) else (values,)
        rows.append(
            {
                **dict(zip(keys, values, strict=True)),
                "bnn_aurc": bnn,
                "gwin_aurc": gwin,
                "aurc_delta": gwin - bnn,
            }
        )
    return pd.DataFrame(rows, columns=[*keys, *SELECTIVE_COLUMNS])
