"""The report's opening verdict: per setting (dataset x classifier x swept columns) at the
headline tau, both metrics with their 95% t-intervals over seeds (gwin.report.over_seeds) and
one sentence saying which of them is significant (gwin.report.reading.verdict_line).

The paper's metric is Rejected Acc. Δ (BNN+GWIN − BNN on the rejected set); ours is
GWIN − Identity (BNN+GWIN − C re-drawn on the unchanged inputs). A metric is significant when
its 95% interval excludes 0, which is the paired t-test's p < 0.05 (the gain is the difference
of the pair the test compares, seed by seed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from gwin.metrics.labels import LABELS
from gwin.report.over_seeds import GAIN, PAPER_GAIN, TESTS, over_seeds
from gwin.report.stats import TABLE_KEYS, aggregate, at_tau

# the paper's metric first, as the paper reads; then ours
VERDICT_METRICS = {
    PAPER_GAIN: f"{LABELS[PAPER_GAIN]} (BNN+GWIN − BNN)",
    GAIN: LABELS[GAIN],
}
_P_COLUMN = {metric: p for metric, _, p, _ in TESTS}


def verdict(sweeps: pd.DataFrame, swept: Sequence[str], tau: float) -> pd.DataFrame:
    """One row per setting at `tau`: `seeds` (trials of the setting) and per metric its mean,
    `{metric}_ci_low`, `{metric}_ci_high` (95% t-interval over seeds; NaN with one seed) and
    the paired t-test's p."""
    keys = [*TABLE_KEYS, *swept]
    rows = at_tau(sweeps, tau)
    agg = aggregate(rows, keys, list(VERDICT_METRICS))
    tests = over_seeds(rows, keys)
    merged = agg.merge(tests, on=keys, how="left", validate="one_to_one")
    return merged.rename(columns={"n_trials": "seeds"})


def _value(value: float, spec: str = "+.2f") -> str:
    return "n/a" if value is None or math.isnan(value) else format(value, spec)


def interval_cell(row: pd.Series, metric: str) -> str:
    """ "mean [low, high]" in points, the interval "n/a" where it is undefined."""
    mean = _value(row[f"{metric}_mean"])
    low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
    if math.isnan(low):
        return f"{mean} [n/a]"
    return f"{mean} [{low:+.2f}, {high:+.2f}]"


def setting_label(row: pd.Series, swept: Sequence[str]) -> str:
    where = ", ".join(
        f"{c} = {row[c]:g}" if isinstance(row[c], float) else f"{c} = {row[c]}" for c in swept
    )
    return f"{row['dataset']} / {row['classifier']}" + (f", {where}" if where else "")


def verdict_table(frame: pd.DataFrame, swept: Sequence[str]) -> pd.DataFrame:
    """`verdict` as display strings: setting, seeds, then per metric "mean [95% CI]" and p."""
    table = pd.DataFrame({"setting": [setting_label(r, swept) for _, r in frame.iterrows()]})
    table["seeds"] = frame["seeds"].astype(int).to_numpy()
    for metric, header in VERDICT_METRICS.items():
        table[f"{header}, mean [95% CI]"] = [interval_cell(r, metric) for _, r in frame.iterrows()]
        table["paired t p" + (" vs BNN" if metric == PAPER_GAIN else " vs Identity")] = [
            _value(p, ".2g") for p in frame[_P_COLUMN[metric]]
        ]
    return table
