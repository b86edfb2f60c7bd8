"""Table 1/2-style tables of a study: mean ± std over seeds per dataset and classifier.

    gwin tables RESULTS [--by lambda_loss] [--split val] [--corruption rotate]
                [--format markdown|latex|csv|html] [--vs-paper]
    gwin tables RESULTS --ci          # + 95% CI and paired t-test over seeds
    gwin tables RESULTS --ci bootstrap  # + 95% bootstrap CI over test inputs, by seed
    gwin tables RESULTS --variance    # where the variance over seeds comes from
    gwin tables RESULTS --classifiers [--tau 0.8]
    gwin tables RESULTS --curves
    gwin tables RESULTS --per-trial [--tau 0.8]

RESULTS is a study folder (STORAGE/NAME, a local path or a URI such as s3://bucket/NAME, as
the study printed it), its results/ folder, or one trial's --out folder. Rows are
grouped by the study's swept config columns unless --by says otherwise (--by none pools them).
--vs-paper puts the paper's numbers beside ours (MNIST and Fashion-MNIST only), with the
difference in units of the paper's std. --classifiers gives the classifier comparison instead:
one row per classifier at --tau, with the identity baseline, AURC, ECE and NLL of C.
--ci adds, per row and for both metrics, the 95% t-interval over seeds and the two-sided p of a
paired t-test over seeds: GWIN − Identity (BNN+GWIN against the identity baseline) and the
paper's Rejected Acc. Δ (BNN+GWIN against the BNN) (gwin.report.over_seeds). --ci bootstrap
gives instead the 95% bootstrap interval over test inputs, stratified by seed
(gwin.metrics.bootstrap), read from the trials' predictions one trial at a time.
--variance gives, per row and for both metrics, the decomposition of the variance over seeds
into the test sample, the Monte Carlo draws and training (gwin.metrics.variance): whether more
seeds or more Monte Carlo samples would tighten a result.
--curves gives the learning curves instead: the periodic validation reports (gain over the
identity at tau = 0.8, losses) per setting and iteration, mean ± std over seeds. --per-trial
gives one row per trial at --tau: its validation and test gain over the identity and the exact
McNemar test of fixed against broken test inputs, BNN+GWIN against the identity baseline.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from gwin.analysis import check_tau, results_parser
from gwin.errors import GwinError, command
from gwin.method.rejection import REPORT_TAU
from gwin.report.classifier_table import (
    COMPARISON_METRICS,
    classifier_comparison,
    comparison_keys,
)
from gwin.report.curves import curve_keys, curves_table, shown_metrics
from gwin.report.per_trial import per_trial, per_trial_table
from gwin.report.provenance import ran_on
from gwin.report.reading import reading
from gwin.report.stats import TABLE_KEYS
from gwin.report.tables import (
    CI_KINDS,
    FORMATS,
    SWEEP_METRICS_SHOWN,
    blocks,
    comparison_table,
    mean_std_table,
    paper_blocks,
    render,
    sweep_blocks,
    variance_blocks,
    variance_table,
)
from gwin.store.reader import Results, load_results


def build(
    results: str | Results,
    by: list[str] | None = None,
    split: str = "test",
    corruption: str = "none",
    fmt: str = "markdown",
    vs_paper: bool = False,
    inference: bool | str = False,
) -> str:
    """The tables as text; CSV gives the numeric mean/std/count columns, one file for all.
    `inference`: True or "t", the 95% t-interval and paired t-test over seeds of both
    metrics; "bootstrap", their 95% bootstrap interval over test inputs, stratified by seed."""
    if fmt not in FORMATS:
        raise GwinError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    loaded = _loaded(results)
    blocks = sweep_blocks(loaded, by, split, corruption, inference)
    if vs_paper:
        pairs = paper_blocks(blocks)
        if not pairs:
            have = sorted({b.dataset for b in blocks})
            raise GwinError(
                f"--vs-paper: the paper has tables for mnist and fashion_mnist only; "
                f"this study has {', '.join(have)}"
            )
        if fmt == "csv":
            return pd.concat(
                [c.assign(dataset=b.dataset, classifier=b.classifier) for b, c in pairs]
            ).to_csv(index=False)
        return "\n".join(
            _section(
                b.dataset,
                b.classifier,
                f"vs the paper; {b.caption}",
                render(comparison_table(c), fmt),
                fmt,
            )
            for b, c in pairs
        )
    if fmt == "csv":
        return pd.concat([b.agg for b in blocks]).to_csv(index=False)
    return "\n".join(
        _section(
            b.dataset,
            b.classifier,
            b.caption,
            render(mean_std_table(b.agg, b.keys, SWEEP_METRICS_SHOWN), fmt),
            fmt,
            reading(b),
        )
        for b in blocks
    )


def build_variance(
    results: str | Results, by: list[str] | None, split: str, corruption: str, fmt: str
) -> str:
    """The variance decomposition (gwin.report.sampling), one table per dataset and classifier;
    CSV gives the numeric columns (sd in points and shares), one file for all."""
    parts = variance_blocks(_loaded(results), by, split, corruption)
    if fmt == "csv":
        return pd.concat([b.agg for b in parts]).to_csv(index=False)
    return "\n".join(
        _section(b.dataset, b.classifier, b.caption, render(variance_table(b.agg, b.keys), fmt),
                 fmt)
        for b in parts
    )  # fmt: skip


def build_classifiers(results: str | Results, split: str, tau: float, fmt: str = "markdown") -> str:
    """The classifier comparison (gwin.report.classifier_table), one table per dataset."""
    loaded = _loaded(results)
    agg = classifier_comparison(loaded, split, tau)
    if fmt == "csv":
        return agg.to_csv(index=False)
    keys = comparison_keys(loaded)
    return "\n".join(
        _section(
            str(dataset),
            "classifiers",
            f"{split} split, τ = {tau:g}; mean ± std over seeds",
            render(mean_std_table(part, keys, COMPARISON_METRICS), fmt),
            fmt,
        )
        for dataset, part in agg.groupby("dataset", sort=True)
    )


def build_curves(results: str | Results, fmt: str = "markdown") -> str:
    """The learning curves (gwin.report.curves), one table per dataset and classifier."""
    loaded = _loaded(results)
    agg = curves_table(loaded)
    if agg.empty:
        raise GwinError(f"{loaded.source} stores no validation history (run with --eval-every)")
    if fmt == "csv":
        return agg.to_csv(index=False)
    keys = [*curve_keys(loaded), "iteration"]
    return "\n".join(
        _section(
            b.dataset,
            b.classifier,
            "validation reports; mean ± std over seeds",
            render(mean_std_table(b.agg, b.keys, shown_metrics(b.agg)), fmt),
            fmt,
        )
        for b in blocks(agg, keys, "")
    )


def build_per_trial(results: str | Results, tau: float, fmt: str = "markdown") -> str:
    """One row per trial (gwin.report.per_trial): val and test gain, McNemar vs the identity."""
    frame = per_trial(_loaded(results), tau)
    if frame.empty:
        raise GwinError(f"{_loaded(results).source} holds no finished trial")
    if fmt == "csv":
        return frame.to_csv(index=False)
    caption = f"τ = {tau:g}; gains over the identity; McNemar on test, GWIN vs identity"
    table = render(per_trial_table(frame), fmt)
    return _section("every trial", "one row each", caption, table, fmt)


def _section(
    dataset: str, classifier: str, caption: str, table: str, fmt: str, notes: Sequence[str] = ()
) -> str:
    """A titled table; `notes` (the reading, gwin.report.reading) go under it."""
    title = f"{dataset} / {classifier} ({caption})"
    if fmt == "latex":
        return f"% {title}\n{table}\n" + "".join(f"% {n}\n" for n in notes)
    if fmt == "html":
        return f"<h3>{title}</h3>\n{table}\n" + "".join(f"<p>{n}</p>\n" for n in notes)
    return f"## {title}\n\n{table}\n" + "".join(f"\n{n}\n" for n in notes)


def build_parser() -> argparse.ArgumentParser:
    parser = results_parser(__doc__)
    parser.add_argument(
        "--by",
        action="append",
        metavar="COLUMN",
        help="group rows by this config column (repeatable; 'none' pools all; "
        "default: the columns the study sweeps)",
    )
    parser.add_argument(
        "--corruption", default="none", help="corrupted test set (default: none, the clean one)"
    )
    parser.add_argument(
        "--format", default="markdown", choices=FORMATS, help="output format (default: markdown)"
    )
    parser.add_argument(
        "--vs-paper", action="store_true", help="compare with the paper's Tables 1 and 2"
    )
    parser.add_argument(
        "--ci",
        nargs="?",
        const="t",
        choices=CI_KINDS,
        help="add, for GWIN − Identity and for the paper's Rejected Acc. Δ, a 95%% interval: "
        "--ci or --ci t, the t-interval over seeds and a paired t-test over seeds; "
        "--ci bootstrap, the bootstrap interval over test inputs, stratified by seed "
        "(reads the trials' predictions)",
    )
    parser.add_argument(
        "--classifiers",
        action="store_true",
        help="the classifier comparison (one row per classifier at --tau) instead",
    )
    parser.add_argument(
        "--tau",
        type=float,
        default=REPORT_TAU,
        help=f"threshold of --classifiers and --per-trial (default: {REPORT_TAU})",
    )
    parser.add_argument(
        "--per-trial",
        action="store_true",
        help="one row per trial at --tau (val and test gain, McNemar vs identity) instead",
    )
    parser.add_argument(
        "--curves", action="store_true", help="the learning curves (validation history) instead"
    )
    parser.add_argument(
        "--variance",
        action="store_true",
        help="where the variance over seeds comes from instead: per row, the sd of the test "
        "sample, the Monte Carlo draws and training, with their shares (reads the trials' "
        "predictions)",
    )
    return parser


# The flags each alternative table has no use for (it would silently ignore them); the first of
# these modes given wins, the plain mean +- std table takes every flag.
IGNORED_BY = {
    "per_trial": (
        "curves", "classifiers", "variance", "by", "vs_paper", "ci", "split", "corruption",
    ),
    "curves": ("classifiers", "variance", "by", "vs_paper", "ci", "split", "corruption"),
    "classifiers": ("variance", "by", "vs_paper", "ci", "corruption"),
    "variance": ("vs_paper", "ci", "tau"),
}  # fmt: skip


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def check_modes(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The alternative table asked for (None: the plain one); a flag it would ignore is an error."""
    for mode, ignored in IGNORED_BY.items():
        if getattr(args, mode):
            given = [n for n in ignored if getattr(args, n) != parser.get_default(n)]
            if given:
                names = ", ".join(_flag(n) for n in given)
                raise GwinError(f"{_flag(mode)} takes no {names}; drop them")
            return mode
    if args.ci and args.vs_paper:
        raise GwinError("--ci and --vs-paper give different tables; choose one")
    return None


@command()
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    by = None if args.by is None else [c for c in args.by if c != "none"]
    if by and set(by) & set(TABLE_KEYS):
        raise GwinError(f"{TABLE_KEYS} always get a table each; drop them from --by")
    mode = check_modes(parser, args)
    check_tau(args.tau)
    loaded = load_results(args.results)  # the index is read once, for the table and its footer
    if mode == "per_trial":
        text = build_per_trial(loaded, args.tau, args.format)
    elif mode == "curves":
        text = build_curves(loaded, args.format)
    elif mode == "classifiers":
        text = build_classifiers(loaded, args.split, args.tau, args.format)
    elif mode == "variance":
        text = build_variance(loaded, by, args.split, args.corruption, args.format)
    else:
        text = build(loaded, by, args.split, args.corruption, args.format, args.vs_paper, args.ci)
    sys.stdout.write(text + footer(ran_on(loaded.trials), args.format))
    return 0


def _loaded(results: str | Results) -> Results:
    """A study already read, or the location to read it from."""
    return results if isinstance(results, Results) else load_results(results)


def footer(line: str, fmt: str) -> str:
    """A line under the tables (not in CSV, which is data): where they were computed."""
    return {"csv": "", "latex": f"% {line}\n", "html": f"<p>{line}</p>\n"}.get(fmt, f"\n{line}\n")


if __name__ == "__main__":
    sys.exit(main())
