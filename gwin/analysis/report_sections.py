"""The sections of the HTML report (gwin.analysis.report), one function each: every one
adds its headings, tables and figures to the page from the study's stored summaries."""

from __future__ import annotations

import datetime

import pandas as pd

from gwin import __version__
from gwin.report import figures as gp
from gwin.report.classifier_table import COMPARISON_METRICS, classifier_comparison, comparison_keys
from gwin.report.curves import curve_keys, curves_table, shown_metrics, trial_histories
from gwin.report.html_page import Page
from gwin.report.paper_check import departures
from gwin.report.stats import (
    FIGURE_COLUMNS,
    TABLE_KEYS,
    at_tau,
    examples_by_block,
    format_mean_std,
    predictions_by_block,
    trial_sweeps,
)
from gwin.report.tables import (
    HEADLINE_METRICS,
    ROBUSTNESS_METRICS,
    SELECTIVE_METRICS,
    SWEEP_METRICS_SHOWN,
    blocks,
    comparison_table,
    mean_std_table,
    paper_blocks,
    selective_blocks,
    sweep_blocks,
    tau_blocks,
    variance_blocks,
    variance_table,
)
from gwin.store.location import name_of
from gwin.store.reader import Results


def _blocks_of(frame: pd.DataFrame):
    for (dataset, classifier), part in frame.groupby(TABLE_KEYS, sort=True):
        yield f"{dataset} / {classifier}", part


def _settings(r: Results, swept: list[str]) -> dict[str, str]:
    """trial_id -> its setting, e.g. "lambda_loss = 10" (Figure 5's boxes)."""
    t = r.trials
    return {
        str(row["trial_id"]): ", ".join(f"{c} = {row[c]}" for c in swept) or "all trials"
        for _, row in t.iterrows()
    }


def _values(trials: pd.DataFrame, column: str) -> str:
    return ", ".join(str(v) for v in sorted(trials[column].astype(str).unique()))


def title(page: Page, r: Results) -> None:
    page.heading(1, f"GWIN study report: {_values(r.trials, 'study') or name_of(r.source)}")


def intro(page: Page, r: Results, swept: list[str], split: str) -> None:
    t = r.trials
    page.heading(2, "The study")
    page.text(
        f"Results from {r.source}; {len(t)} successful trials ({len(r.failed)} failed); "
        f"split {split!r}; generated {datetime.date.today()} by gwin {__version__}."
    )
    items = [f"{c}: {_values(t, c)}" for c in ("preset", "dataset", "classifier", "seed")]
    items += [f"swept {c}: {_values(t, c)}" for c in swept]
    page.bullets(items + r.notes)
    page.text(
        "Every number is a mean ± std over seeds (std with ddof = 1: a single seed shows "
        "“± n/a”). “(n=k)” marks a cell only k trials define, e.g. an empty rejected set."
    )


def headline(page: Page, sweeps: pd.DataFrame, swept: list[str], tau: float) -> None:
    page.heading(2, f"Headline numbers (τ = {tau:g})")
    for b in tau_blocks(sweeps, swept, tau, ""):
        page.table(
            mean_std_table(b.agg, b.keys, HEADLINE_METRICS),
            f"{b.dataset} / {b.classifier}",
            keys=len(b.keys),
        )
        for _, row in b.agg.iterrows():

            def cell(m: str, row: pd.Series = row) -> str:
                return format_mean_std(row[f"{m}_mean"], row[f"{m}_std"], 1)

            where = "".join(f", {c} = {row[c]}" for c in b.keys)
            page.text(
                f"{b.dataset} / {b.classifier}{where}: C rejects {cell('pct_reject')}% of the "
                f"inputs; BNN+GWIN labels {cell('gwin_acc_rejected')}% of those correctly, C "
                f"alone {cell('bnn_acc_rejected')}%, C re-drawn on the unchanged inputs (the "
                f"identity baseline) {cell('identity_acc_rejected')}%; overall accuracy changes by "
                f"{cell('overall_acc_delta')} points ({int(row['n_trials'])} trials)."
            )


def tables(page: Page, r: Results, swept: list[str], split: str) -> None:
    page.heading(2, "Tables 1/2: accuracy on the rejected subset per τ")
    blocks = sweep_blocks(r, swept, split, inference=True)
    for b in blocks:
        page.table(
            mean_std_table(b.agg, b.keys, SWEEP_METRICS_SHOWN),
            f"{b.dataset} / {b.classifier}: {b.caption}",
            keys=len(b.keys),
        )
    for b, comparison in paper_blocks(blocks):
        page.heading(3, f"{b.dataset} / {b.classifier} vs the paper")
        trials = r.trials[
            (r.trials["dataset"] == b.dataset) & (r.trials["classifier"] == b.classifier)
        ]
        page.table(
            comparison_table(comparison),
            "Δ = ours − paper; Δ / paper std measures it "
            "in units of the paper's std over its 10 runs (presets other than 'paper' "
            f"are not expected to match). {departures(trials)}",
        )


def figures(
    page: Page, r: Results, sweeps: pd.DataFrame, swept: list[str], split: str, tau: float
) -> None:
    group = swept[0] if swept else None
    page.heading(2, "Accuracy vs τ (the paper's Figures 3/4)")
    for name, part in _blocks_of(sweeps):
        page.figure(
            gp.tau_accuracy(part, group, name),
            f"{name}, {split} split: (a) accuracy on the rejected inputs of BNN, BNN+GWIN and "
            f"the identity baseline, % rejected dotted (right axis); (b) accuracy on the "
            f"whole split; mean over seeds, error bars: sd over seeds"
            + (f", line style per {group}." if group else "."),
        )
    page.heading(2, "Change in ground-truth certainty, rejected inputs (the paper's Figure 5)")
    settings = _settings(r, swept)
    for name, part in predictions_by_block(r, split, "none", FIGURE_COLUMNS):
        page.figure(
            gp.certainty_change_box(part, r.taus, name, settings),
            f"{name}, {split} split: C's median probability of the true label on G(x, z) minus "
            "on x, for the inputs rejected at each τ; one box per "
            + (", ".join(swept) if swept else "study")
            + " (its seeds pooled); diamonds are outliers beyond 1.5 IQR.",
        )
    shown = list(examples_by_block(r))
    if shown:
        page.heading(2, "Example transformations (the paper's Figure 2)")
        for name, trial, examples in shown:
            page.figure(
                gp.examples_grid(examples, title=name),
                f"{name}, trial {trial}, test split: inputs C rejects at τ = 0.8 and would label "
                "wrongly (top, the first by index) and G(x, z) (bottom), with C's label and "
                "certainty; green = correct.",
            )


def variability(page: Page, sweeps: pd.DataFrame, swept: list[str], tau: float, split: str) -> None:
    page.heading(2, "Variability across seeds")
    for name, part in _blocks_of(sweeps):
        page.figure(
            gp.seed_strip(part, group=swept[0] if swept else None, title=name),
            f"{name}, {split} split: each trial's gain on the rejected inputs, one dot per "
            "seed: left, GWIN − Identity (the headline); right, Rejected Acc. Δ (vs the BNN)"
            + (f"; side by side per {swept[0]}." if swept else "."),
        )
    rows = at_tau(sweeps, tau)
    cols = ["dataset", "classifier", *swept, "seed", "trial_id", *HEADLINE_METRICS]
    shown = rows[cols].rename(columns=HEADLINE_METRICS).sort_values(cols[: 3 + len(swept)])
    page.table(shown.round(2), f"Per-trial values at τ = {tau:g}.", keys=4 + len(swept))


def noise_sources(page: Page, r: Results, swept: list[str], split: str, tau: float) -> None:
    page.heading(2, f"Where the variance comes from (τ = {tau:g})")
    page.text(
        "How sure the mean over seeds is, and what would make it surer. The seeds' spread "
        "holds C's Monte Carlo draws (MC: a likely upper bound, as it assumes the GWIN's "
        "verdict varies between draws as C's does on x) and training (generator and "
        "classifier seeds, data order: the rest); the seeds share one test set, so what a "
        "fresh test sample would move the result by (test) comes on top, and more seeds do "
        "not shrink it. The shares are of the mean's variance and add up to 1: a large "
        "training share says more seeds would tighten the result; a large MC share, more "
        "seeds or more Monte Carlo samples; a large test share, a larger test set. The "
        "bootstrap interval resamples each seed's test inputs (gwin.metrics.variance, "
        "gwin.metrics.bootstrap; docs/schema.md)."
    )
    for b in variance_blocks(r, swept, split, "none", tau, bootstrap=True):
        page.table(
            variance_table(b.agg, b.keys),
            f"{b.dataset} / {b.classifier}: {b.caption}; n = seeds whose rejected set is "
            "not empty.",
            keys=len(b.keys),
        )


def sensitivity(page: Page, sweeps: pd.DataFrame, swept: list[str], tau: float, split: str) -> None:
    page.heading(2, "Sensitivity to the swept hyperparameters")
    if not swept:
        page.text("No config column varies between the trials of this study.")
    for column in swept:
        if swept == [column]:  # its table would be the headline table again
            page.text(f"By {column} at τ = {tau:g}: the headline table above.")
        for b in tau_blocks(sweeps, [column], tau, "") if swept != [column] else []:
            page.table(
                mean_std_table(b.agg, b.keys, HEADLINE_METRICS),
                f"{b.dataset} / {b.classifier} by {column} at τ = {tau:g} "
                "(other swept columns pooled)",
                keys=len(b.keys),
            )
        rows = at_tau(sweeps, tau)
        rows = rows.assign(setting=rows["dataset"] + " / " + rows["classifier"])
        page.figure(
            gp.metric_vs_config(rows, column, hue="setting", title=f"τ = {tau:g}"),
            f"{split} split: Rejected Acc. Δ and Overall Acc. Δ at τ = {tau:g} vs {column}, "
            "per setting; error bars: sd over seeds.",
        )


def robustness(page: Page, r: Results, swept: list[str], tau: float) -> None:
    page.heading(2, f"Corruption robustness (test split, τ = {tau:g})")
    all_sets = trial_sweeps(r, "test", None)
    if set(all_sets["corruption"]) == {"none"}:
        page.text("This study evaluated no corrupted test sets (TrialConfig.corruptions).")
        return
    for b in tau_blocks(all_sets, ["corruption", *swept], tau, ""):
        clean_first = b.agg.assign(_c=b.agg["corruption"] != "none").sort_values(
            ["_c", "corruption", *swept], kind="stable"
        )
        page.table(
            mean_std_table(clean_first, b.keys, ROBUSTNESS_METRICS),
            f"{b.dataset} / {b.classifier}: accuracy of C on all inputs, on the inputs it "
            "accepts (w/ Reject), and with rejected inputs relabelled by C(G(x, z)).",
            keys=len(b.keys),
        )
    for name, part in _blocks_of(at_tau(all_sets, tau)):
        page.figure(
            gp.corruption_bars(part, f"{name}, τ = {tau:g}"),
            f"{name}, test split, each corruption: accuracy of BNN, BNN w/ Reject (accepted "
            f"inputs) and BNN+GWIN at τ = {tau:g}; error bars: sd over seeds.",
        )


def selective(page: Page, r: Results, swept: list[str], split: str) -> None:
    page.heading(2, "Selective classification")
    page.text(
        "BNN w/ reject answers an input when c ≥ t. BNN+GWIN w/ reject also answers a "
        "rejected input with C(G(x, z)) when that prediction's certainty is ≥ t. Curves "
        "sweep t over every certainty value (one line per trial); lower is better. AURC is "
        "the step-function area under the curve, in % (gwin.metrics.selective)."
    )
    for b in selective_blocks(r, swept, split):
        page.table(
            mean_std_table(b.agg, b.keys, SELECTIVE_METRICS),
            f"{b.dataset} / {b.classifier}: {b.caption}",
            keys=len(b.keys),
        )
    for name, part in predictions_by_block(r, split, "none", FIGURE_COLUMNS):
        page.figure(
            gp.risk_coverage_plot(part, name),
            f"{name}, {split} split: risk (% errors among answered) vs coverage of BNN w/ "
            "reject and BNN+GWIN w/ reject, one line per trial.",
        )


def classifiers(page: Page, r: Results, sweeps: pd.DataFrame, split: str, tau: float) -> None:
    if sweeps["classifier"].nunique() < 2:
        return
    page.heading(2, "Classifier variants")
    page.text(
        f"Per classifier C at τ = {tau:g}: accuracy, rejection, accuracy on the rejected subset "
        "before and after the GWIN and with the identity baseline, C's AURC, and C's "
        "calibration (ECE in %, 15 bins; NLL in nats) of its Monte Carlo mean probabilities."
    )
    keys = comparison_keys(r)
    for dataset, part in classifier_comparison(r, split, tau).groupby("dataset", sort=True):
        table = mean_std_table(part, keys, COMPARISON_METRICS)
        page.table(table, f"{dataset}, {split} split", keys=len(keys))
    style = next((c for c in keys if c != "classifier"), None)
    for dataset, part in sweeps.groupby("dataset", sort=True):
        if part["classifier"].nunique() > 1:
            page.figure(
                gp.compare_by(part, "classifier", style=style, title=str(dataset)),
                f"{dataset}, {split} split: BNN w/ Reject accuracy, BNN+GWIN accuracy and "
                "Rejected Acc. Δ vs τ per classifier variant; error bars: sd over seeds.",
            )


def curves(page: Page, r: Results) -> None:
    agg = curves_table(r)
    if agg.empty:
        return
    page.heading(2, "Learning curves (validation)")
    keys = [*curve_keys(r), "iteration"]
    history = trial_histories(r)
    hue = keys[0] if len(keys) > 1 else None
    for b in blocks(agg, keys, ""):
        part = history[(history["dataset"] == b.dataset) & (history["classifier"] == b.classifier)]
        page.figure(
            gp.learning_curves(part, hue=hue, title=f"{b.dataset} / {b.classifier}"),
            f"{b.dataset} / {b.classifier}, val split (its first eval_size inputs): GWIN − "
            "Identity on the rejected inputs at τ = 0.8 vs the generator iteration, at every "
            "periodic report; error bars: sd over seeds.",
        )
        page.table(
            mean_std_table(b.agg, b.keys, shown_metrics(b.agg)),
            f"{b.dataset} / {b.classifier}",
            keys=len(b.keys),
        )
