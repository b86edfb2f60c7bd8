"""Names of the headline metrics that several layers read, declared once.

The periodic validation report (gwin.trial), Tune's progress table and final report
(gwin.tune.trainable), the search's objective (gwin.tune.search) and the learning curves
(gwin.report.curves) all use these, so renaming a sweep column fails here at import instead of
silently starving the ASHA search of its metric.
"""

from __future__ import annotations

from gwin.metrics.sweep import SWEEP_COLUMNS

# The sweep columns at tau = 0.8 that every periodic validation report carries, as val_<name>
# (the `history` table's metric columns, docs/schema.md).
HISTORY_COLUMNS = (
    "overall_acc_delta",
    "gwin_acc_rejected",
    "bnn_acc_rejected",
    "identity_acc_rejected",
    "gain_over_identity",
    "pct_reject",
)
if unknown := set(HISTORY_COLUMNS) - set(SWEEP_COLUMNS):
    raise ImportError(f"history columns {sorted(unknown)} are not sweep columns")


def as_val(column: str) -> str:
    """The name of a sweep column in a validation report: val_<column>."""
    return f"val_{column}"


# what G adds over re-drawing C on the unchanged input, on validation at tau = 0.8: the
# search's objective and the learning curves' headline
VAL_GAIN = as_val("gain_over_identity")
VAL_OVERALL_ACC_DELTA = as_val("overall_acc_delta")
VAL_GWIN_ACC_REJECTED = as_val("gwin_acc_rejected")
VAL_IDENTITY_ACC_REJECTED = as_val("identity_acc_rejected")
