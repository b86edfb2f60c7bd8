"""Column labels: how each metric column is headed, in one place for the tables (`gwin tables`),
the report and the Python API (`Study.labels`), so a column reads the same everywhere.

The summary columns themselves (snake_case, what the Parquet tables and DataFrames hold) are
documented in docs/schema.md; these are their display names.
"""

from __future__ import annotations

from collections.abc import Iterable

# The paper's Table 1/2 headers, its words and order (docs/design.md section 4): in those tables
# "BNN Acc." and "BNN+GWIN Acc." are accuracies on the rejected inputs.
PAPER_LABELS = {
    "tau": "tau",
    "pct_reject": "% Reject",
    "bnn_acc_rejected": "BNN Acc.",
    "gwin_acc_rejected": "BNN+GWIN Acc.",
    "rejected_acc_delta": "Rejected Acc. Δ",
    "overall_acc_delta": "Overall Acc. Δ",
    "error_delta_pct": "% Error Δ",
}
# The identity baseline beside the paper's columns (not in the paper): C re-drawn on the
# unchanged x.
BASELINE_LABELS = {
    "identity_acc_rejected": "Identity Acc.",
    "identity_rejected_acc_delta": "Identity Δ",
    "gain_over_identity": "GWIN − Identity",
}
# Every other table's headers, unambiguous outside the paper's tables.
LABELS = {
    "bnn_acc": "BNN Acc.",
    "pct_reject": "% Reject",
    "bnn_acc_rejected": "BNN Acc. (rejected)",
    "gwin_acc_rejected": "BNN+GWIN Acc. (rejected)",
    "identity_acc_rejected": "Identity Acc. (rejected)",
    "gain_over_identity": "GWIN − Identity",
    "rejected_acc_delta": "Rejected Acc. Δ",
    "overall_acc_delta": "Overall Acc. Δ",
    "bnn_reject_acc": "BNN w/ Reject Acc.",
    "gwin_acc": "BNN+GWIN Acc.",
    "reject_acc_delta": "w/ Reject − BNN",
    "bnn_aurc": "AURC BNN w/ reject (%)",
    "gwin_aurc": "AURC BNN+GWIN w/ reject (%)",
    "aurc_delta": "AURC Δ",
    "ece": "ECE (%)",
    "nll": "NLL",
}


def labels(columns: Iterable[str], of: dict[str, str] = LABELS) -> dict[str, str]:
    """column -> label for `columns`, in their order (a KeyError names a column with none)."""
    return {c: of[c] for c in columns}


def classifier_labels(columns: Iterable[str]) -> dict[str, str]:
    """`labels` for the classifier comparison, where C is any classifier, Bayesian or not."""
    return {c: label.replace("BNN", "C") for c, label in labels(columns).items()}
