"""Seaborn figures of a study (the paper's Figures 2-5 and the platform's extra views).

Each function takes per-trial frames from `gwin.report.stats` (or predictions / examples) and
returns a matplotlib Figure; error bars are seaborn's `errorbar="sd"` over trials, the same
spread as the tables' std. Figures are built with `matplotlib.figure.Figure`, not pyplot, so
importing this module neither switches the caller's backend nor needs a display, and figures
are freed when dropped (no global figure registry to close).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from gwin.metrics.names import VAL_GAIN
from gwin.metrics.selective import curves
from gwin.report.figure_style import (
    ACCURACIES,
    AXIS_LABELS,
    LABELS,
    PALETTE,
    cap_percent,
    figure_legend,
    finish,
    mean_sd_line,
    melt_methods,
    new_figure,
    zero_line,
)
from gwin.report.seed_figures import certainty_change_box, seed_strip

__all__ = ["certainty_change_box", "seed_strip"]  # re-exported: their home is seed_figures


def tau_accuracy(sweeps: pd.DataFrame, group: str | None = None, title: str = "") -> Figure:
    """Figures 3/4: (a) accuracy on the rejected subset and % rejected, (b) overall accuracy."""
    keep = ["tau", "trial_id", *([group] if group else [])]
    fig, (left, right) = new_figure(2)
    style = {"style": group} if group else {}
    method = dict(hue="method", palette=PALETTE, **style)
    shown = ["bnn_acc_rejected", "gwin_acc_rejected", "identity_acc_rejected"]
    rejected = melt_methods(sweeps, [m for m in shown if sweeps[m].notna().any()], keep)
    mean_sd_line(left, rejected, "tau", "value", **method)
    twin = left.twinx()
    mean_sd_line(
        twin,
        sweeps,
        "tau",
        "pct_reject",
        color="0.5",
        linestyle=":",
        marker=".",
        label="% Reject (right axis)",
    )
    twin.set_ylabel("% Reject (dotted)")
    twin.grid(False)
    left.set(
        xlabel="certainty threshold τ",
        ylabel="accuracy on rejected subset (%)",
        title="(a) rejected subset",
    )
    overall = melt_methods(sweeps, ["bnn_acc", "bnn_reject_acc", "gwin_acc"], keep)
    mean_sd_line(right, overall, "tau", "value", **method)
    right.set(xlabel="certainty threshold τ", ylabel="accuracy (%)", title="(b) whole split")
    for ax in (left, twin, right):
        cap_percent(ax)
    return finish(fig, title, [right, left, twin])


def metric_vs_config(
    per_trial: pd.DataFrame,
    column: str,
    metrics: Sequence[str] = ("rejected_acc_delta", "overall_acc_delta"),
    hue: str = "dataset",
    title: str = "",
) -> Figure:
    """A metric (at one tau) against a swept config column, mean +- sd over seeds."""
    fig, axes = new_figure(len(metrics), width=4.5)
    values = pd.to_numeric(per_trial[column], errors="coerce")
    numeric = values.notna().all()
    for ax, metric in zip(axes, metrics, strict=True):
        if numeric:
            data = per_trial.assign(**{column: values})
            mean_sd_line(ax, data, column, metric, hue=hue)
            if values.min() > 0 and values.max() / values.min() >= 20:
                ax.set_xscale("log")
        else:
            sns.pointplot(data=per_trial, x=column, y=metric, hue=hue, errorbar="sd", ax=ax)
        zero_line(ax)
        ax.set(ylabel=LABELS.get(metric, metric))
    return finish(fig, title, axes)


def risk_coverage_plot(predictions: pd.DataFrame, title: str = "", points: int = 200) -> Figure:
    """Risk-coverage curves of BNN w/ reject and BNN+GWIN w/ reject, one line per trial.

    Each curve is drawn at `points` coverages (its step function read off there): at a
    figure's resolution the same line, and a block of hundreds of trials stays cheap to draw.
    The AURC figures come from the full curves (gwin.metrics.selective), not from these."""
    fig, (ax,) = new_figure(1, width=6.0)
    grid = np.linspace(0, 1, points)
    seen = set()
    for _, group in predictions.groupby("trial_id", sort=True):
        for method, curve in curves(group).groupby("method", sort=False):
            coverage, risk = curve["coverage"].to_numpy(), 100 * curve["risk"].to_numpy()
            # the step function's value at each grid coverage (steps-pre: the next point's)
            at = np.minimum(np.searchsorted(coverage, grid, side="left"), len(coverage) - 1)
            shown = grid <= coverage[-1]
            ax.step(grid[shown], risk[at][shown], where="pre", color=PALETTE[method],
                    alpha=0.7, linewidth=1, label=None if method in seen else method)  # fmt: skip
            seen.add(method)
    ax.legend()
    ax.set(
        xlabel="coverage (fraction answered)",
        ylabel="risk (% errors among answered)",
        xlim=(0, 1.01),
        title=title,
    )
    fig.tight_layout()
    return fig


def corruption_bars(per_trial: pd.DataFrame, title: str = "") -> Figure:
    """Accuracy per corruption of BNN, BNN w/ reject and BNN+GWIN at one tau, +- sd."""
    long = melt_methods(
        per_trial, ["bnn_acc", "bnn_reject_acc", "gwin_acc"], ["corruption", "trial_id"]
    )
    fig, (ax,) = new_figure(1, width=max(6.0, 1.6 * per_trial["corruption"].nunique()))
    sns.barplot(
        data=long, x="corruption", y="value", hue="method", errorbar="sd", palette=PALETTE, ax=ax
    )
    ax.set(ylabel="accuracy (%)", title=title)
    cap_percent(ax)
    fig.tight_layout()
    figure_legend(fig, [ax])
    return fig


def compare_by(
    sweeps: pd.DataFrame,
    hue: str,
    metrics: Sequence[str] = ("bnn_reject_acc", "gwin_acc", "rejected_acc_delta"),
    style: str | None = None,
    title: str = "",
) -> Figure:
    """Metrics vs tau, one line per value of `hue` (e.g. classifier variants), +- sd."""
    fig, axes = new_figure(len(metrics), width=4.5)
    extra = {"style": style} if style else {}
    for ax, metric in zip(axes, metrics, strict=True):
        mean_sd_line(ax, sweeps, "tau", metric, hue=hue, **extra)
        label = AXIS_LABELS.get(metric, LABELS.get(metric, metric))
        ax.set(xlabel="certainty threshold τ", ylabel=label)
        if metric in ACCURACIES:
            cap_percent(ax)
    return finish(fig, title, axes)


def examples_grid(examples: pd.DataFrame, n: int = 8, title: str = "") -> Figure:
    """Figure 2: rejected inputs (top) and G's translations (bottom) with labels and certainties.

    `examples` are a trial's stored examples (rejected, misclassified test inputs; see
    gwin.method.evaluate.examples_frame); the first `n` by index are drawn. Green titles are correct
    labels, red ones wrong.
    """
    rows = examples.sort_values("index").head(n).reset_index(drop=True)
    fig = Figure(figsize=(1.3 * len(rows) + 0.6, 3.9))
    axes = fig.subplots(2, len(rows), squeeze=False)
    for i, row in rows.iterrows():
        for r, (image, pred, cert, who) in enumerate(
            [
                (row["image"], row["bnn_pred"], row["bnn_certainty"], "C"),
                (row["transformed"], row["gwin_pred"], row["gwin_certainty"], "C(G)"),
            ]
        ):
            ax = axes[r, i]
            ax.imshow(np.asarray(image, dtype=float).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            color = "#1a7f37" if pred == row["label"] else "#c0392b"
            head = f"y={row['label']}\n" if r == 0 else ""
            ax.set_title(f"{head}{who}: {pred} ({cert:.2f})", fontsize=8, color=color)
    axes[0, 0].set_ylabel("input x", fontsize=8)
    axes[1, 0].set_ylabel("G(x, z)", fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout(h_pad=1.5)
    return fig


def learning_curves(
    history: pd.DataFrame,
    metric: str = VAL_GAIN,
    hue: str | None = None,
    title: str = "",
    x: str = "iteration",
) -> Figure:
    """A metric against `x` (by default the generator iteration), mean ± sd over seeds per
    `hue`."""
    fig, (ax,) = new_figure(1, width=6.5)
    data = history if hue is None else history.assign(**{hue: history[hue].astype(str)})
    mean_sd_line(ax, data, x, metric, **({"hue": hue} if hue else {}))
    zero_line(ax)
    label = {VAL_GAIN: "GWIN − Identity, rejected val inputs (points)"}
    ax.set(xlabel="generator iteration", ylabel=label.get(metric, metric), title=title)
    return finish(fig, "", [ax] if hue else [])
