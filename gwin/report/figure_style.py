"""What every figure shares: method names and colours, figure and axis set-up, one legend per
figure, and PNG export (gwin.report.figures draws the figures themselves)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from gwin.errors import GwinError
from gwin.store.atomic import atomic_path

LABELS = {
    "bnn_acc_rejected": "BNN",
    "gwin_acc_rejected": "BNN+GWIN",
    "identity_acc_rejected": "Identity (C re-drawn)",
    "bnn_acc": "BNN",
    "bnn_reject_acc": "BNN w/ Reject (accepted only)",
    "gwin_acc": "BNN+GWIN",
    "pct_reject": "% Reject",
    "overall_acc_delta": "Overall Acc. Δ (points)",
    "rejected_acc_delta": "Rejected Acc. Δ (points)",
    "error_delta_pct": "% Error Δ",
}
# Axis labels where the legend label alone would be ambiguous.
AXIS_LABELS = {
    "bnn_reject_acc": "BNN w/ Reject: acc. on accepted (%)",
    "gwin_acc": "BNN+GWIN: acc. on all inputs (%)",
    "bnn_acc": "BNN: acc. on all inputs (%)",
}
PALETTE = {
    "BNN": "#4c72b0",
    "BNN+GWIN": "#dd8452",
    "Identity (C re-drawn)": "#8c8c8c",
    "BNN w/ Reject (accepted only)": "#55a868",
    "BNN w/ reject": "#4c72b0",
    "BNN+GWIN w/ reject": "#dd8452",
}


def melt_methods(frame: pd.DataFrame, metrics: Sequence[str], keep: Sequence[str]) -> pd.DataFrame:
    long = frame.melt(id_vars=list(keep), value_vars=list(metrics), var_name="metric")
    long["method"] = long["metric"].map(LABELS)
    return long


def figure_legend(fig: Figure, axes: Sequence) -> None:
    """One legend for the figure, right of the axes, merging every axis' entries in order."""
    seen: dict[str, Any] = {}
    titles = []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
        if ax.get_legend() is not None:
            titles.append(ax.get_legend().get_title().get_text())
            ax.get_legend().remove()
    if seen:
        fig.legend(
            list(seen.values()),
            list(seen),
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            frameon=False,
            fontsize="small",
            title=next((t for t in titles if t), None),
            title_fontsize="small",
        )


def new_figure(ncols: int, width: float = 5.0, height: float = 3.6) -> tuple[Figure, np.ndarray]:
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(width * ncols, height))
        axes = fig.subplots(1, ncols, squeeze=False)
    return fig, axes[0]


def mean_sd_line(ax, data: pd.DataFrame, x: str, y: str, **style) -> None:
    """Mean line with +-sd bars over the trials at each x (the tables' mean +- std)."""
    style.setdefault("marker", "o")
    sns.lineplot(data=data, x=x, y=y, errorbar="sd", err_style="bars", ax=ax, **style)


# metrics in % of inputs: their axes end at 100, however far an error bar reaches
ACCURACIES = {
    "bnn_acc", "bnn_reject_acc", "gwin_acc", "bnn_acc_rejected", "gwin_acc_rejected",
    "identity_acc_rejected", "pct_reject",
}  # fmt: skip


def cap_percent(ax) -> None:
    """An axis of percentages ends at 100 (and starts no lower than 0): an sd bar above 100
    is cut at the top instead of stretching the axis to 120 %."""
    low, high = ax.get_ylim()
    ax.set_ylim(max(low, 0.0), min(high, 100.0))


def zero_line(ax) -> None:
    ax.axhline(0.0, color="0.3", linewidth=0.8)


def finish(fig: Figure, title: str, legend_axes: Iterable[Any] = ()) -> Figure:
    legend_axes = list(legend_axes)
    fig.suptitle(title)
    fig.tight_layout()
    if len(legend_axes):
        figure_legend(fig, legend_axes)
    return fig


FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def check_figure_path(flag: str, out: Path | None) -> None:
    """Refuse, before any work is done, a figure path `save_figure` cannot write."""
    if out is not None and out.suffix not in FIGURE_SUFFIXES:
        raise GwinError(f"{flag} {out}: name a .png, .pdf or .svg file")


def seeds_note(fig: Figure, seeds_per_point: pd.Series, where: str) -> Figure:
    """Under the axes: how many seeds each point averages and where the rows ran."""
    low, high = seeds_per_point.min(), seeds_per_point.max()
    span = f"{low}" if low == high else f"{low} to {high}"
    fig.text(0.01, -0.02, f"mean ± sd over {span} seeds per point; ran on: {where}", fontsize=8)
    return fig


def save_figure(fig: Figure, out: Path) -> None:
    """Write the figure to `out` (.png, .pdf or .svg) atomically and say where."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format=out.suffix[1:], dpi=120, bbox_inches="tight")
    print(f"figure: {out}")


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (for embedding in HTML)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
