"""Figures that keep settings apart: the gains of every seed (variability) and Figure 5's
change in ground-truth certainty, one box per setting and tau, never pooled over settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from gwin.metrics.labels import LABELS as COLUMN_LABELS
from gwin.metrics.sweep import certainty_change
from gwin.report.figure_style import LABELS, figure_legend, new_figure, zero_line

# the headline (ours) first, then the paper's metric
SEED_METRICS = ("gain_over_identity", "rejected_acc_delta")
SEED_LABELS = {
    "gain_over_identity": f"{COLUMN_LABELS['gain_over_identity']} (points)",
    "rejected_acc_delta": f"{COLUMN_LABELS['rejected_acc_delta']}, vs BNN (points)",
}
SETTING_COLORS = ("#8da0cb", "#fc8d62", "#66c2a5", "#e78ac3", "#a6d854", "#ffd92f", "#b3b3b3")


def seed_strip(
    sweeps: pd.DataFrame,
    metric: str | Sequence[str] = SEED_METRICS,
    group: str | None = None,
    title: str = "",
) -> Figure:
    """Variability across seeds: one dot per trial at each tau, side by side per `group` value
    (e.g. a swept column) so that different configs are not read as seed noise; one panel per
    metric (by default the gain over the identity baseline, then over the BNN)."""
    metrics = [metric] if isinstance(metric, str) else list(metric)
    fig, axes = new_figure(len(metrics), width=6.0)
    hue = group or "seed"
    data = sweeps.assign(
        tau=sweeps["tau"].map(lambda t: f"{t:g}"), **{hue: sweeps[hue].astype(str)}
    )
    for ax, m in zip(axes, metrics, strict=True):
        sns.stripplot(
            data=data, x="tau", y=m, hue=hue, dodge=group is not None, jitter=0.12, size=5, ax=ax
        )
        zero_line(ax)
        ax.set(xlabel="certainty threshold τ", ylabel=SEED_LABELS.get(m, LABELS.get(m, m)))
    fig.suptitle(title)
    fig.tight_layout()
    figure_legend(fig, list(axes))
    return fig


def _box_stats(groups: list[pd.DataFrame], tau: float):
    from matplotlib import cbook

    change = np.concatenate([certainty_change(g, tau) for g in groups] or [np.empty(0)])
    if not len(change):
        return None
    (box,) = cbook.boxplot_stats(change.astype(np.float64), whis=1.5)
    return {**box, "label": f"n={len(change)}"}


def certainty_change_box(
    predictions: pd.DataFrame,
    taus: Sequence[float],
    title: str = "",
    settings: Mapping[str, str] | None = None,
) -> Figure:
    """Figure 5: ground-truth certainty after G minus before, on the rejected set, per tau and
    setting: one box per (tau, setting), the changes of that setting's trials pooled (its seeds).
    `settings` maps trial_id to a setting's name (e.g. "lambda_loss = 10"); without it every
    trial is one setting. Outliers beyond 1.5 IQR are diamonds, as in the paper. Box statistics
    come from numpy arrays (matplotlib's boxplot_stats), so hundreds of trials cost seconds."""
    names = settings or {}
    by_setting: dict[str, list[pd.DataFrame]] = {}
    for trial, g in predictions.groupby("trial_id", sort=True):
        by_setting.setdefault(names.get(str(trial), "all trials"), []).append(g)
    order = sorted(by_setting)
    width = len(order) + 1
    stats, positions, colors, ticks = [], [], [], []
    for i, tau in enumerate(taus):
        for j, name in enumerate(order):
            box = _box_stats(by_setting[name], tau)
            if box is not None:
                stats.append(box)
                positions.append(i * width + j)
                colors.append(SETTING_COLORS[j % len(SETTING_COLORS)])
        ticks.append((i * width + (len(order) - 1) / 2, f"{tau:g}"))
    fig, (ax,) = new_figure(1, width=max(7.0, 0.35 * len(taus) * width))
    if not stats:
        ax.text(0.5, 0.5, "no input is rejected at any τ", ha="center", transform=ax.transAxes)
        return fig
    drawn = ax.bxp(
        stats,
        positions=positions,
        patch_artist=True,
        showfliers=True,
        medianprops={"color": "0.15"},
        flierprops={"marker": "D", "markersize": 3, "markerfacecolor": "0.3", "alpha": 0.5},
    )
    for patch, color in zip(drawn["boxes"], colors, strict=True):
        patch.set_facecolor(color)
    ax.set_xticks([t for t, _ in ticks], [label for _, label in ticks])
    zero_line(ax)
    ax.set(
        xlabel="certainty threshold τ (rejected inputs of each setting's trials)",
        ylabel="Δ ground-truth certainty",
        title=title,
    )
    if len(order) > 1:
        handles = [
            Patch(facecolor=SETTING_COLORS[j % len(SETTING_COLORS)], label=name)
            for j, name in enumerate(order)
        ]
        fig.tight_layout()
        fig.legend(handles=handles, title="setting", loc="center left", bbox_to_anchor=(1.0, 0.5),
                   frameon=False, fontsize="small", title_fontsize="small")  # fmt: skip
    else:
        fig.tight_layout()
    return fig
