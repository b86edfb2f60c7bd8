"""The report's sections on harm and on accept/translate/abstain (gwin.metrics.harm and
gwin.metrics.three_way), computed from the trials' predictions one dataset x classifier block
at a time."""

from __future__ import annotations

import pandas as pd

from gwin.metrics.harm import harm_sweep
from gwin.metrics.three_way import METHODS, THREE_WAY_COLUMNS, three_way_aurc
from gwin.report import metric_figures as mf
from gwin.report.html_page import Page
from gwin.report.stats import TABLE_KEYS, aggregate, predictions_by_block
from gwin.report.tables import mean_std_table
from gwin.store.reader import Results

COLUMNS = ["label", "bnn_pred", "bnn_certainty", "gwin_pred", "gwin_certainty", "identity_pred"]
HARM_SHOWN = {
    "harm_pct": "BNN+GWIN broken (% of rejected)",
    "identity_harm_pct": "Identity broken (% of rejected)",
}
THREE_WAY_SHOWN = {c: f"AURC {METHODS[c]} (%)" for c in THREE_WAY_COLUMNS}


def _per_trial(r: Results, part: pd.DataFrame, swept: list[str], tau: float):
    config = r.trials.set_index("trial_id")[[*TABLE_KEYS, *swept]]
    harm, areas = [], []
    for trial, group in part.groupby("trial_id", sort=True):
        setting = config.loc[trial].to_dict()
        harm.append(harm_sweep(group, r.taus).assign(trial_id=trial, **setting))
        areas.append({"trial_id": trial, **setting, **three_way_aurc(group, tau)})
    return pd.concat(harm, ignore_index=True), pd.DataFrame(areas)


def per_block(r: Results, swept: list[str], split: str, tau: float) -> list:
    """(name, harm per trial and tau, AURCs per trial, predictions) per dataset x classifier
    block, for the two sections below, so the predictions are read once."""
    return [(name, *_per_trial(r, part, swept, tau), part)
            for name, part in predictions_by_block(r, split, "none", COLUMNS)]  # fmt: skip


def harm_section(page: Page, shown: list, swept: list[str], split: str) -> None:
    page.heading(2, "Harm: correct labels the GWIN breaks")
    page.text(
        "On the inputs C rejects, the share C labelled correctly and BNN+GWIN labels wrongly "
        "(gwin.metrics.harm), beside the same share for the identity baseline (C re-drawn on "
        "the unchanged input), which flips labels too. Mean ± std over seeds."
    )
    for name, harm, _, _ in shown:
        keys = [*swept, "tau"]
        agg = aggregate(harm, keys, list(HARM_SHOWN))
        page.table(mean_std_table(agg, keys, HARM_SHOWN), f"{name}, {split} split", len(keys))
        page.figure(
            mf.harm_plot(harm, swept[0] if swept else None, name),
            f"{name}, {split} split: broken inputs (BNN right, then wrong) as % of the "
            "rejected inputs vs τ, BNN+GWIN and the identity baseline (line style); error bars: sd "
            "over seeds.",
        )


def three_way_section(page: Page, shown: list, swept: list[str], split: str, tau: float) -> None:
    page.heading(2, f"Accept, translate or abstain (τ = {tau:g})")
    page.text(
        f"BNN+GWIN with a second threshold σ: C answers where its certainty c ≥ τ = {tau:g}; a "
        "rejected input is answered with C(G(x, z)) where that label's certainty g ≥ σ, and "
        "abstained on otherwise. Sweeping σ down traces accuracy against the share answered "
        "beyond C's accepted inputs (gwin.metrics.three_way); BNN w/ reject sweeps its own "
        "threshold; BNN alone answers everything. AURC: step-function area under the risk "
        "(error) curve, in %; lower is better."
    )
    for name, _, areas, part in shown:
        agg = (
            aggregate(areas, swept, THREE_WAY_COLUMNS)
            if swept
            else aggregate(areas.assign(all="all"), ["all"], THREE_WAY_COLUMNS)
        )
        keys = swept or ["all"]
        page.table(mean_std_table(agg, keys, THREE_WAY_SHOWN), f"{name}, {split} split", len(keys))
        page.figure(
            mf.three_way_plot(part, tau, name),
            f"{name}, {split} split: accuracy on the answered inputs vs the share answered, "
            "one line per trial and system.",
        )
