"""Tables shaped like the paper's Tables 1 and 2, from sweep rows (one trial or mean +- std)."""

from __future__ import annotations

import math

import pandas as pd

# sweep column -> the paper's column header
PAPER_COLUMNS = {
    "tau": "tau",
    "pct_reject": "% Reject",
    "bnn_acc_rejected": "BNN Acc.",
    "gwin_acc_rejected": "BNN+GWIN Acc.",
    "rejected_acc_delta": "Rejected Acc. Δ",
    "overall_acc_delta": "Overall Acc. Δ",
    "error_delta_pct": "% Error Δ",
}
# The identity baseline beside them (not in the paper): C re-drawn on the unchanged x.
BASELINE_COLUMNS = {
    "identity_acc_rejected": "Identity Acc.",
    "identity_rejected_acc_delta": "Identity Δ",
    "gain_over_identity": "GWIN − Identity",
}
SWEEP_TABLE_COLUMNS = {**PAPER_COLUMNS, **BASELINE_COLUMNS}


def _num(value: float) -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.2f}"
    )


def format_sweep(sweep: pd.DataFrame, fmt: str = "github") -> str:
    """One trial's tau sweep as a paper-style table with the identity baseline beside the GWIN
    (undefined values shown as n/a)."""
    rows = [
        [f"{row['tau']:.2f}"] + [_num(row[c]) for c in list(SWEEP_TABLE_COLUMNS)[1:]]
        for _, row in sweep.iterrows()
    ]
    from tabulate import tabulate

    headers = list(SWEEP_TABLE_COLUMNS.values())
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)
