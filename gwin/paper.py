"""The paper's reported numbers (Tables 1 and 2 of Cosentino & Zhu, NeurIPS 2019) as data.

Transcribed by hand from the paper's tables: mean +- std over 10 runs on the 10,000-image test
set, for tau in {0.50, 0.70, 0.80, 0.90, 0.95, 0.99} only (the paper lists no rows for 0.10 and
0.30, although Section 5 names them). "% Reject" is given without a std. Table 1 is MNIST
(the paper's "MNIST Digits", our dataset `mnist`, not scikit-learn's `digits`); Table 2 is
Fashion-MNIST. The captions give C's accuracy with no rejection; Section 5.1 the mean |P_c|.
"""

from __future__ import annotations

import math

import pandas as pd

from gwin.errors import GwinError

METRICS = [
    "pct_reject",
    "bnn_acc_rejected",
    "gwin_acc_rejected",
    "rejected_acc_delta",
    "overall_acc_delta",
    "error_delta_pct",
]

# tau, % Reject (the paper gives no std for it), then mean, std of every other metric in order.
_TABLES: dict[str, list[tuple[float, ...]]] = {
    "mnist": [  # Table 1
        (0.50, 0.39, 40.23, 8.51, 75.59, 4.22, 35.36, 8.66, 0.14, 0.04, -6.98, 2.08),
        (0.70, 1.83, 54.48, 2.21, 85.07, 2.63, 30.59, 2.64, 0.56, 0.06, -27.55, 2.66),
        (0.80, 2.74, 58.91, 1.49, 86.30, 1.85, 27.39, 2.03, 0.75, 0.06, -36.36, 1.93),
        (0.90, 4.39, 68.79, 2.38, 86.95, 0.97, 18.16, 2.55, 0.80, 0.13, -40.26, 4.19),
        (0.95, 6.04, 73.48, 1.66, 89.34, 0.85, 15.86, 2.07, 0.96, 0.13, -47.45, 4.09),
        (0.99, 11.00, 83.54, 0.88, 92.55, 0.49, 9.02, 0.94, 0.99, 0.10, -49.45, 3.16),
    ],
    "fashion_mnist": [  # Table 2
        (0.50, 4.18, 40.52, 2.36, 59.43, 2.30, 18.91, 3.61, 0.79, 0.17, -6.22, 1.24),
        (0.70, 15.25, 52.08, 1.55, 66.95, 0.67, 14.87, 1.78, 2.27, 0.30, -18.08, 1.98),
        (0.80, 21.21, 57.87, 0.89, 69.16, 0.47, 11.29, 0.87, 2.39, 0.19, -19.25, 1.32),
        (0.90, 30.29, 64.14, 0.66, 73.18, 0.73, 9.04, 0.83, 2.74, 0.29, -21.63, 1.85),
        (0.95, 37.30, 68.93, 0.49, 76.06, 0.43, 7.14, 0.61, 2.66, 0.25, -21.15, 1.61),
        (0.99, 51.97, 76.55, 0.30, 81.34, 0.26, 4.79, 0.34, 2.49, 0.19, -19.94, 1.30),
    ],
}
# C's test accuracy with no rejection (table captions), in %.
BASE_ACCURACY = {"mnist": 98.0, "fashion_mnist": 87.4}
# Mean size of the confident training set P_c at tau* = 0.95 (Section 5.1).
MEAN_CONFIDENT = {"mnist": 47_948, "fashion_mnist": 31_760}
N_RUNS = 10


def has_reference(dataset: str) -> bool:
    return dataset in _TABLES


def paper_reference(dataset: str) -> pd.DataFrame:
    """The paper's table for `dataset`: columns tau and `{metric}_mean`, `{metric}_std`."""
    if dataset not in _TABLES:
        raise GwinError(
            f"the paper reports no table for dataset {dataset!r}; "
            f"--vs-paper needs one of {', '.join(_TABLES)}"
        )
    rows = []
    for tau, reject, *values in _TABLES[dataset]:
        row = {"tau": tau, "pct_reject_mean": reject, "pct_reject_std": math.nan}
        for i, metric in enumerate(METRICS[1:]):
            row[f"{metric}_mean"], row[f"{metric}_std"] = values[2 * i], values[2 * i + 1]
        rows.append(row)
    return pd.DataFrame(rows)
