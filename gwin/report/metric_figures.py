"""Figures of the harm and accept/translate/abstain metrics (gwin.metrics.harm, .three_way)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from gwin.metrics.three_way import METHODS, curves
from gwin.report.figure_style import finish, mean_sd_line, new_figure

COLORS = dict(zip(METHODS.values(), ("#8c8c8c", "#4c72b0", "#dd8452"), strict=True))


def harm_plot(harm: pd.DataFrame, hue: str | None = None, title: str = "") -> Figure:
    """Harm rate (broken / rejected, %) vs tau, BNN+GWIN solid and the identity baseline dashed,
    mean ± sd over seeds, one colour per `hue` value."""
    fig, (ax,) = new_figure(1, width=6.5)
    long = harm.melt(
        id_vars=["tau", "trial_id", *([hue] if hue else [])],
        value_vars=["harm_pct", "identity_harm_pct"],
        var_name="verdict",
    )
    long["verdict"] = long["verdict"].map(
        {"harm_pct": "BNN+GWIN", "identity_harm_pct": "Identity (C re-drawn)"}
    )
    extra = {"hue": long[hue].astype(str)} if hue else {}
    mean_sd_line(ax, long, "tau", "value", style="verdict", **extra)
    ax.set(
        xlabel="certainty threshold τ",
        ylabel="broken: BNN right → wrong (% of rejected)",
        ylim=(0, 100),
    )
    return finish(fig, title, [ax])


def three_way_plot(predictions: pd.DataFrame, tau: float, title: str = "") -> Figure:
    """Accuracy on the answered inputs against the share answered, one line per trial and
    system: BNN alone (a point), BNN w/ reject, and BNN+GWIN accepting at `tau` and translating
    the rest in decreasing certainty of C(G(x, z))."""
    fig, (ax,) = new_figure(1, width=6.5)
    seen: set[str] = set()
    for _, group in predictions.groupby("trial_id", sort=True):
        for method, curve in curves(group, tau).groupby("method", sort=False):
            coverage = curve["coverage"].to_numpy()
            accuracy = 100 * (1 - curve["risk"].to_numpy())
            label = None if method in seen else method
            if len(coverage) == 1:
                ax.plot(coverage, accuracy, "o", color=COLORS[method], label=label)
            else:
                ax.step(coverage, accuracy, where="pre", color=COLORS[method], alpha=0.7,
                        linewidth=1, label=label)  # fmt: skip
            seen.add(method)
    ax.legend(fontsize="small", loc="lower left")
    ax.set(
        xlabel="coverage (share of inputs answered)",
        ylabel="accuracy on answered inputs (%)",
        xlim=(0, 1.01),
        ylim=(None, 100.5),
        title=title,
    )
    fig.tight_layout()
    return fig
