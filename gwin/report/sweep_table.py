"""Tables shaped like the paper's Tables 1 and 2, from sweep rows (one trial or mean +- std)."""

from __future__ import annotations

import math

import pandas as pd

from gwin.metrics.labels import BASELINE_LABELS, PAPER_LABELS

SWEEP_TABLE_COLUMNS = {**PAPER_LABELS, **BASELINE_LABELS}


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
