"""Mean +- std tables for tables.py and report.py: which numbers, grouped how, rendered as what.

Every table here is built from `gwin.report.stats` output, so the CLI tables and the HTML report
show the same numbers. Cells read "mean ± std"; "± n/a" marks a single seed (std undefined),
and "(n=k)" marks a cell where only k of the group's trials define the value (e.g. seeds whose
rejected set is empty at that tau).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gwin.errors import GwinError
from gwin.metrics.labels import BASELINE_LABELS, PAPER_LABELS, labels
from gwin.paper import METRICS as PAPER_METRICS_ORDER
from gwin.paper import has_reference, paper_reference
from gwin.report.over_seeds import INFERENCE_COLUMNS, inference_cells, over_seeds
from gwin.report.sampling import (
    BOOTSTRAP_COLUMNS,
    bootstrap_cells,
    bootstrap_cis,
    trial_outcomes,
    variance_by,
    variance_cells,
)
from gwin.report.stats import (
    TABLE_KEYS,
    Results,
    aggregate,
    at_tau,
    format_mean_std,
    swept_columns,
    trial_selective,
    trial_sweeps,
)

FORMATS = ("markdown", "latex", "csv", "html")
CI_KINDS = ("t", "bootstrap")  # gwin tables --ci [t|bootstrap]; Study.summary(ci=)
# The paper's Table 1/2 columns (docs/design.md section 4), in its order.
PAPER_METRICS = labels(PAPER_METRICS_ORDER, PAPER_LABELS)
# The tau-sweep tables: the paper's columns with the identity baseline beside them.
SWEEP_METRICS_SHOWN = {**PAPER_METRICS, **BASELINE_LABELS}
HEADLINE_METRICS = labels(
    [
        "bnn_acc",
        "pct_reject",
        "bnn_acc_rejected",
        "gwin_acc_rejected",
        "identity_acc_rejected",
        "gain_over_identity",
        "overall_acc_delta",
    ]
)
ROBUSTNESS_METRICS = labels(
    [
        "bnn_acc",
        "pct_reject",
        "bnn_reject_acc",
        "gwin_acc",
        "reject_acc_delta",
        "overall_acc_delta",
        "rejected_acc_delta",
    ]
)
SELECTIVE_METRICS = labels(["bnn_aurc", "gwin_aurc", "aurc_delta"])


@dataclass
class Block:
    """One table: a dataset x classifier slice of an aggregate, and what it was grouped by."""

    dataset: str
    classifier: str
    keys: list[str]  # grouping columns shown in the table (besides dataset and classifier)
    agg: pd.DataFrame
    caption: str


def blocks(agg: pd.DataFrame, keys: Sequence[str], caption: str) -> list[Block]:
    """Split an aggregate (grouped by TABLE_KEYS + keys) into one Block per dataset/classifier."""
    out = []
    for (dataset, classifier), part in agg.groupby(TABLE_KEYS, sort=True):
        out.append(
            Block(str(dataset), str(classifier), list(keys), part.reset_index(drop=True), caption)
        )
    return out


def sweep_blocks(
    results: Results,
    by: Sequence[str] | None = None,
    split: str = "test",
    corruption: str = "none",
    inference: bool | str = False,
) -> list[Block]:
    """Table 1/2-style aggregates per dataset and classifier, grouped by `by` and tau.

    `by` defaults to the study's swept config columns, so rows never pool different configs
    unless asked to; pooled swept columns are named in the caption. `inference` adds to each
    row, for both headline metrics: True or "t", the t-interval and paired t-test over seeds
    (gwin.report.over_seeds); "bootstrap", the bootstrap interval over test inputs, stratified
    by seed (gwin.report.sampling, from the trials' predictions, one trial at a time).
    """
    ci = ci_kind(inference)
    per_trial, keys, pooled = _grouping(results, by, split, corruption)
    group = [*TABLE_KEYS, *keys]
    agg = aggregate(per_trial, group)
    caption = f"{split} split, corruption {corruption}; mean ± std over seeds{pooled}"
    if ci == "t":
        caption += "; 95% t-interval and paired t-test (GWIN vs identity) over seeds"
        agg = agg.merge(over_seeds(per_trial, group), on=group, how="left", validate="one_to_one")
    elif ci == "bootstrap":
        caption += "; 95% bootstrap interval over test inputs, stratified by seed"
        outcomes = trial_outcomes(results, per_trial[["trial_id", *group]], split, corruption)
        cis = bootstrap_cis(outcomes, group)
        agg = agg.merge(cis, on=group, how="left", validate="one_to_one")
    return blocks(agg, keys, caption)


def variance_blocks(
    results: Results,
    by: Sequence[str] | None,
    split: str,
    corruption: str,
    tau: float | None = None,
    bootstrap: bool = False,
) -> list[Block]:
    """The variance decomposition of both headline metrics (gwin.metrics.variance) per
    dataset, classifier, `by` (as sweep_blocks) and tau (`tau`: that one only), from the
    trials' predictions; `bootstrap` adds the bootstrap intervals from the same counts."""
    per_trial, keys, pooled = _grouping(results, by, split, corruption)
    if tau is not None:
        per_trial = at_tau(per_trial, tau)
    group = [*TABLE_KEYS, *keys]
    outcomes = trial_outcomes(results, per_trial[["trial_id", *group]], split, corruption)
    agg = variance_by(outcomes, group)
    caption = (
        f"{split} split, corruption {corruption}{pooled}; where the variance over seeds comes "
        "from: sd in points of the test sample, the Monte Carlo draws and training, with "
        "each one's share of the variance of the mean over seeds"
    )
    if bootstrap:
        agg = agg.merge(bootstrap_cis(outcomes, group), on=group, validate="one_to_one")
        caption += "; 95% bootstrap interval over test inputs, stratified by seed"
    return blocks(agg, keys, caption)


def _grouping(
    results: Results, by: Sequence[str] | None, split: str, corruption: str
) -> tuple[pd.DataFrame, list[str], str]:
    """(every trial's sweep rows with its config, the row keys `by` and tau, the caption's
    note of the swept columns pooled: empty or "; pooled over ...")."""
    swept = swept_columns(results.trials)
    results_by = swept if by is None else list(by)
    pooled = [c for c in swept if c not in results_by]
    note = f"; pooled over {', '.join(pooled)}" if pooled else ""
    return trial_sweeps(results, split, corruption), [*results_by, "tau"], note


def ci_kind(inference: bool | str | None) -> str | None:
    """None (no interval), "t" (True too) or "bootstrap"; anything else is refused."""
    if inference is True:
        return "t"
    if not inference:
        return None
    if inference not in CI_KINDS:
        raise GwinError(f"unknown ci {inference!r}; choose one of {', '.join(CI_KINDS)}")
    return str(inference)


def tau_blocks(
    per_trial: pd.DataFrame, keys: Sequence[str], tau: float | None, caption: str
) -> list[Block]:
    """Aggregate per-trial rows (at `tau`, if given) grouped by TABLE_KEYS + keys."""
    rows = per_trial if tau is None else at_tau(per_trial, tau)
    return blocks(aggregate(rows, [*TABLE_KEYS, *keys]), keys, caption)


def selective_blocks(results: Results, keys: Sequence[str], split: str = "test") -> list[Block]:
    per_trial = trial_selective(results, split, "none")
    return tau_blocks(per_trial, keys, None, f"{split} split; mean ± std over seeds")


def mean_std_table(
    agg: pd.DataFrame, keys: Sequence[str], metrics: Mapping[str, str], digits: int = 2
) -> pd.DataFrame:
    """Strings "mean ± std" per metric, with the key columns first and `n` (trials) last; an
    aggregate that carries the over-seeds inference (sweep_blocks(inference=True)) gets its
    interval and p before `n`; one that carries the bootstrap interval (inference="bootstrap")
    its intervals."""
    agg = agg.reset_index(drop=True)
    table = _key_columns(agg, keys)
    for metric, header in metrics.items():
        cells = []
        for _, row in agg.iterrows():
            cell = format_mean_std(row[f"{metric}_mean"], row[f"{metric}_std"], digits)
            count, total = row[f"{metric}_count"], row["n_trials"]
            cells.append(cell if count in (0, total) else f"{cell} (n={count})")
        table[header] = cells
    if set(INFERENCE_COLUMNS) <= set(agg.columns):
        for header, cells in inference_cells(agg).items():
            table[header] = cells.to_numpy()
    if set(BOOTSTRAP_COLUMNS) <= set(agg.columns):
        for header, shown in bootstrap_cells(agg).items():
            table[header] = shown
    table["n"] = agg["n_trials"].astype(int).to_numpy()
    return table


def variance_table(agg: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """`variance_blocks`' aggregate as display strings (gwin.report.sampling.variance_cells):
    the key columns, per metric its mean ± sd over seeds and the test, MC and training sd with
    their shares; the bootstrap intervals where the aggregate carries them; the seeds used."""
    agg = agg.reset_index(drop=True)
    table = _key_columns(agg, keys)
    shown = variance_cells(agg)
    if set(BOOTSTRAP_COLUMNS) <= set(agg.columns):
        shown.update(bootstrap_cells(agg))
    for header, cells in shown.items():
        table[header] = cells
    table["n"] = agg["n_seeds"].astype(int).to_numpy()
    return table


def _key_columns(agg: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({("τ" if k == "tau" else k): agg[k].map(_key) for k in keys})


def _key(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:g}"
    return str(value)


def paper_comparison(agg: pd.DataFrame, dataset: str, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Ours vs the paper per tau and metric: ours/paper mean and std, diff, diff / paper std.

    Only the paper's taus (0.50-0.99) appear; `diff_in_paper_std` is NaN where the paper gives
    no std (% Reject).
    """
    ref = paper_reference(dataset)
    rows = []
    for _, ours in agg.iterrows():
        match = ref[np.isclose(ref["tau"], float(ours["tau"]))]
        if match.empty:
            continue
        paper = match.iloc[0]
        for metric in PAPER_METRICS:
            diff = ours[f"{metric}_mean"] - paper[f"{metric}_mean"]
            rows.append(
                {
                    **{k: ours[k] for k in keys if k != "tau"},
                    "tau": ours["tau"],
                    "metric": metric,
                    "ours_mean": ours[f"{metric}_mean"],
                    "ours_std": ours[f"{metric}_std"],
                    "paper_mean": paper[f"{metric}_mean"],
                    "paper_std": paper[f"{metric}_std"],
                    "diff": diff,
                    "diff_in_paper_std": diff / paper[f"{metric}_std"],
                }
            )
    if not rows:
        raise GwinError(f"no tau in common with the paper's table for {dataset} (0.5-0.99)")
    return pd.DataFrame(rows)


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """`paper_comparison` as display strings."""
    keys = [
        c
        for c in comparison.columns
        if c
        not in (
            "metric",
            "ours_mean",
            "ours_std",
            "paper_mean",
            "paper_std",
            "diff",
            "diff_in_paper_std",
        )
    ]
    table = _key_columns(comparison, keys)
    table["metric"] = comparison["metric"].map(PAPER_METRICS)
    table["ours"] = [
        format_mean_std(m, s)
        for m, s in zip(comparison["ours_mean"], comparison["ours_std"], strict=True)
    ]
    # The paper gives % Reject without a std: show its mean alone, not "± n/a".
    table["paper"] = [
        f"{m:.2f}" if math.isnan(s) else format_mean_std(m, s)
        for m, s in zip(comparison["paper_mean"], comparison["paper_std"], strict=True)
    ]
    table["Δ"] = comparison["diff"].map(lambda v: _num(v, "+.2f"))
    table["Δ / paper std"] = comparison["diff_in_paper_std"].map(lambda v: _num(v, "+.1f"))
    return table


def paper_blocks(sweep: list[Block]) -> list[tuple[Block, pd.DataFrame]]:
    """The paper comparison for every block whose dataset has a paper table."""
    return [
        (b, paper_comparison(b.agg, b.dataset, b.keys)) for b in sweep if has_reference(b.dataset)
    ]


def _num(value: float, spec: str) -> str:
    return "n/a" if value is None or math.isnan(value) else format(value, spec)


_LATEX = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "_": r"\_",
    "&": r"\&",
    "#": r"\#",
    "±": r"$\pm$",
    "Δ": r"$\Delta$",
    "τ": r"$\tau$",
    "−": "--",
}


def _latex(text: str) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in str(text))


def render(table: pd.DataFrame, fmt: str = "markdown") -> str:
    """A display table as Markdown (GitHub), LaTeX (tabular), HTML or CSV text."""
    from tabulate import tabulate

    if fmt == "markdown":
        return tabulate(
            table, headers="keys", tablefmt="github", showindex=False, disable_numparse=True
        )
    if fmt == "latex":
        escaped = table.map(_latex).rename(columns=_latex)
        return tabulate(
            escaped, headers="keys", tablefmt="latex_raw", showindex=False, disable_numparse=True
        )
    if fmt == "html":
        return table.to_html(index=False, border=0, classes="results", escape=True)
    if fmt == "csv":
        return table.to_csv(index=False)
    raise GwinError(f"unknown table format {fmt!r}; choose one of {', '.join(FORMATS)}")
