"""The tau sweep of Tables 1 and 2 (docs/design.md section 4), computed from per-input predictions.

For each tau the rejected set is R = {i : bnn_certainty_i < tau}; rejected inputs are relabelled
by C(G(x, z)). Beside every GWIN number stands the identity baseline (C's label from fresh
Monte Carlo draws on the unchanged x, gwin.method.evaluate): `gain_over_identity` is what the
generator adds beyond re-drawing C. Accuracies are in %, deltas in points. An empty R has
undefined (NaN) accuracies on R and an overall delta of exactly 0; a classifier with no errors has
an undefined error change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from gwin.method.rejection import DEFAULT_TAUS, rejected

SWEEP_COLUMNS = [
    "tau",
    "n",
    "n_rejected",
    "pct_reject",
    "bnn_acc_rejected",
    "gwin_acc_rejected",
    "rejected_acc_delta",
    "bnn_acc",
    "gwin_acc",
    "overall_acc_delta",
    "error_delta_pct",
    "identity_acc_rejected",
    "identity_rejected_acc_delta",
    "gain_over_identity",
    "bnn_reject_acc",
    "reject_acc_delta",
]


def _pct(numerator: float, denominator: float) -> float:
    return 100.0 * numerator / denominator if denominator else float("nan")


def _correct(predictions: pd.DataFrame, verdict: str, label: np.ndarray) -> np.ndarray | None:
    column = f"{verdict}_pred"
    return predictions[column].to_numpy() == label if column in predictions.columns else None


def _count(correct: np.ndarray | None, subset: np.ndarray) -> float:
    """How many of `subset` a verdict gets right; NaN for a verdict that was not recorded."""
    return float("nan") if correct is None else int(correct[subset].sum())


def tau_sweep(predictions: pd.DataFrame, taus: Sequence[float] = DEFAULT_TAUS) -> pd.DataFrame:
    """One row per tau for ONE trial, split and corruption.

    `predictions` needs the columns label, bnn_pred and bnn_certainty; the GWIN's and the
    identity baseline's columns are NaN without gwin_pred / identity_pred (C alone, as
    gwin.fidelity measures it).
    """
    label = predictions["label"].to_numpy()
    bnn_ok = predictions["bnn_pred"].to_numpy() == label
    gwin_ok = _correct(predictions, "gwin", label)
    identity_ok = _correct(predictions, "identity", label)
    certainty = predictions["bnn_certainty"].to_numpy()
    n = len(label)
    bnn_correct = int(bnn_ok.sum())
    err_before = n - bnn_correct
    rows = []
    for tau in taus:
        mask = rejected(certainty, tau)
        k = int(mask.sum())
        bnn_r, gwin_r = int(bnn_ok[mask].sum()), _count(gwin_ok, mask)
        ident_r = _count(identity_ok, mask)
        after = bnn_correct - bnn_r + gwin_r
        bnn_acc, gwin_acc = _pct(bnn_correct, n), _pct(after, n)
        rows.append(
            {
                "tau": float(tau),
                "n": n,
                "n_rejected": k,
                "pct_reject": _pct(k, n),
                "bnn_acc_rejected": _pct(bnn_r, k),
                "gwin_acc_rejected": _pct(gwin_r, k),
                "rejected_acc_delta": _pct(gwin_r - bnn_r, k),
                "bnn_acc": bnn_acc,
                "gwin_acc": gwin_acc,
                "overall_acc_delta": _pct(gwin_r - bnn_r, n),
                "error_delta_pct": _pct((n - after) - err_before, err_before),
                "identity_acc_rejected": _pct(ident_r, k),
                "identity_rejected_acc_delta": _pct(ident_r - bnn_r, k),
                "gain_over_identity": _pct(gwin_r - ident_r, k),
                # the paper's "BNN w/ Reject": C's accuracy on what it accepts (NaN if nothing)
                "bnn_reject_acc": _pct(bnn_correct - bnn_r, n - k),
                "reject_acc_delta": _pct(bnn_correct - bnn_r, n - k) - bnn_acc,
            }
        )
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)


def sweep_by(
    predictions: pd.DataFrame,
    keys: Sequence[str] = ("trial_id", "split", "corruption"),
    taus: Sequence[float] = DEFAULT_TAUS,
) -> pd.DataFrame:
    """`tau_sweep` for every group of `keys` (e.g. every trial x split x corruption)."""
    keys = [k for k in keys if k in predictions.columns]
    if not keys:
        return tau_sweep(predictions, taus)
    parts = []
    for values, group in predictions.groupby(keys, sort=True, observed=True):
        values = values if isinstance(values, tuple) else (values,)
        table = tau_sweep(group, taus)
        for key, value in zip(keys, values, strict=True):
            table.insert(keys.index(key), key, value)
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=[*keys, *SWEEP_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def certainty_change(predictions: pd.DataFrame, tau: float) -> np.ndarray:
    """Figure 5: for rejected inputs, median ground-truth certainty after G minus before."""
    mask = rejected(predictions["bnn_certainty"].to_numpy(), tau)
    after = predictions["gwin_gt_certainty"].to_numpy()[mask]
    return after - predictions["bnn_gt_certainty"].to_numpy()[mask]
