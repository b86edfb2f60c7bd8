"""A one-line reading of a sweep table, computed from its numbers: at how many taus the GWIN
beats the identity baseline in the mean over seeds, and at how many by more than the seeds'
spread. Printed under each table so that no sentence about a study is written in advance."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from gwin.report.tables import Block


def _setting(keys: list[str], row: pd.Series) -> str:
    return ", ".join(
        f"{k} = {row[k]:g}" if isinstance(row[k], float) else f"{k} = {row[k]}" for k in keys
    )


def _count(part: pd.DataFrame, metric: str) -> tuple[int, int, int]:
    """(taus with a positive mean, taus where mean - std > 0, taus with a defined mean)."""
    mean, std = part[f"{metric}_mean"], part[f"{metric}_std"]
    defined = mean.notna()
    positive = int((mean[defined] > 0).sum())
    # A single seed has no spread: "clear of the spread" is then undefined, never true.
    clear = int(((mean - std)[defined & std.notna()] > 0).sum())
    return positive, clear, int(defined.sum())


def reading(block: Block) -> list[str]:
    """One line per setting of the block's non-tau keys."""
    settings = [k for k in block.keys if k != "tau"]
    groups = block.agg.groupby(settings, sort=True) if settings else [((), block.agg)]
    lines = []
    for _, part in groups:
        seeds = int(part["n_trials"].max())
        gain, gain_clear, n_tau = _count(part, "gain_over_identity")
        vs_bnn, _, _ = _count(part, "rejected_acc_delta")
        if seeds < 2:
            spread = "one seed, so no spread to judge it by"
        elif gain_clear == 0:
            spread = "at none by more than one std over seeds: within the seeds' spread"
        else:
            spread = f"at {gain_clear} by more than one std over seeds"
        label = _setting(settings, part.iloc[0]) if settings else "all trials"
        lines.append(
            f"Reading ({label}, {seeds} seed{'s' if seeds != 1 else ''}): the GWIN beats the "
            f"identity baseline at {gain} of {n_tau} taus in the mean, {spread}; "
            f"BNN+GWIN beats the BNN at {vs_bnn} of {n_tau}."
        )
    return lines


def _state(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "undefined"
    return "above 0" if low > 0 else "below 0" if high < 0 else "contains 0"


def verdict_line(
    label: str, seeds: int, tau: float, intervals: Mapping[str, tuple[float, float]]
) -> str:
    """One sentence on which metric's gain is significant: a metric is when its 95% t-interval
    over seeds excludes 0 (the paired t-test's p < 0.05); `intervals`: name -> (low, high)."""
    head = f"Reading ({label}, {seeds} seed{'s' if seeds != 1 else ''}, τ = {tau:g}): "
    states = {name: _state(*bounds) for name, bounds in intervals.items()}
    if all(s == "undefined" for s in states.values()):
        return head + "fewer than 2 seeds, so no 95% interval: significance cannot be judged."
    significant = [name for name, s in states.items() if s in ("above 0", "below 0")]
    if not significant:
        summary = "neither metric is significant"
    elif len(significant) == len(states):
        summary = "both metrics are significant"
    else:
        summary = f"only {significant[0]} is significant"
    shown = "; ".join(f"{name}: 95% CI {s}" for name, s in states.items())
    return f"{head}{summary} ({shown}; significant = the CI excludes 0, paired t p < 0.05)."
