"""The report's first block: the verdict per setting at the headline tau, both metrics with
95% intervals over seeds and one sentence each on which is significant (gwin.report.verdict)."""

from __future__ import annotations

import pandas as pd

from gwin.metrics.labels import LABELS
from gwin.report.html_page import Page
from gwin.report.reading import verdict_line
from gwin.report.verdict import VERDICT_METRICS, setting_label, verdict, verdict_table


def verdict_block(
    page: Page, sweeps: pd.DataFrame, swept: list[str], split: str, tau: float
) -> None:
    frame = verdict(sweeps, swept, tau)
    with page.section("verdict"):
        page.heading(2, f"Verdict at τ = {tau:g} ({split} split)")
        page.text(
            "Per setting, the change in accuracy on the inputs C rejects, in points: the "
            "paper's Rejected Acc. Δ (BNN+GWIN − BNN, against C's first label) and ours, "
            "GWIN − Identity (against C re-drawn on the unchanged input, what re-drawing alone "
            "gains). Mean over seeds, its 95% t-interval and the paired t-test's p."
        )
        page.table(verdict_table(frame, swept), keys=2)
        for _, row in frame.iterrows():
            intervals = {
                LABELS[m]: (row[f"{m}_ci_low"], row[f"{m}_ci_high"]) for m in VERDICT_METRICS
            }
            page.text(verdict_line(setting_label(row, swept), int(row["seeds"]), tau, intervals))
