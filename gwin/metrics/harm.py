"""Harm: what the GWIN breaks. On the rejected set R = {i : bnn_certainty_i < tau}, an input is
*broken* when C labelled it right and BNN+GWIN labels it wrong (C(G(x, z)) replaced a correct
label by a wrong one). The harm rate is broken / |R| in %, per tau; an empty R has an undefined
(NaN) rate. Beside it stands the identity baseline's: C re-drawn on the unchanged x also breaks
inputs C labelled right (its label flips between Monte Carlo draws), so a GWIN's harm is read
against that, not against 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from gwin.method.rejection import DEFAULT_TAUS, rejected
from gwin.metrics.sweep import _pct

HARM_COLUMNS = [
    "tau",
    "n_rejected",
    "broken",
    "harm_pct",
    "identity_broken",
    "identity_harm_pct",
]


def harm_sweep(predictions: pd.DataFrame, taus: Sequence[float] = DEFAULT_TAUS) -> pd.DataFrame:
    """One row per tau for ONE trial, split and corruption (columns label, bnn_pred,
    bnn_certainty, gwin_pred and, for the baseline's columns, identity_pred; without it those
    are NaN)."""
    label = predictions["label"].to_numpy()
    bnn_ok = predictions["bnn_pred"].to_numpy() == label
    gwin_ok = predictions["gwin_pred"].to_numpy() == label
    has_identity = "identity_pred" in predictions.columns
    identity_ok = predictions["identity_pred"].to_numpy() == label if has_identity else None
    certainty = predictions["bnn_certainty"].to_numpy()
    rows = []
    for tau in taus:
        r = np.asarray(rejected(certainty, tau))
        k = int(r.sum())
        broken = int((r & bnn_ok & ~gwin_ok).sum())
        row = {"tau": float(tau), "n_rejected": k, "broken": broken, "harm_pct": _pct(broken, k)}
        if identity_ok is None:
            row.update(identity_broken=float("nan"), identity_harm_pct=float("nan"))
        else:
            ident = int((r & bnn_ok & ~identity_ok).sum())
            row.update(identity_broken=ident, identity_harm_pct=_pct(ident, k))
        rows.append(row)
    return pd.DataFrame(rows, columns=HARM_COLUMNS)
