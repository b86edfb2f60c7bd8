"""Figures of a study as image files: Figures 2-5 and the ablation / robustness / selective views.

    gwin plots RESULTS --out DIR [--split test] [--tau 0.8] [--format png|pdf|svg]

Writes one file per figure and dataset/classifier (e.g. tau_accuracy-digits-lenet5.png) and
prints their paths. Error bars are the sd over trials, as in the tables.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from matplotlib.figure import Figure

from gwin.analysis import check_tau, results_parser
from gwin.errors import GwinError, command
from gwin.method.rejection import REPORT_TAU
from gwin.report import figures as gp
from gwin.report.stats import (
    FIGURE_COLUMNS,
    TABLE_KEYS,
    at_tau,
    examples_by_block,
    predictions_by_block,
    swept_columns,
    trial_sweeps,
)
from gwin.store.atomic import atomic_path
from gwin.store.reader import Results, load_results


def _slug(*parts: object) -> str:
    return "-".join(str(p).replace("/", "_").replace(" ", "") for p in parts)


def figures(
    results: Results, split: str = "test", tau: float = REPORT_TAU
) -> Iterator[tuple[str, Figure]]:
    """(name, figure) for every figure of the study, lazily (each is closed when saved)."""
    swept = swept_columns(results.trials)
    group = swept[0] if swept else None
    sweeps = trial_sweeps(results, split, "none")
    blocks = predictions_by_block(results, split, "none", FIGURE_COLUMNS)
    for ((dataset, classifier), part), (_, mine) in zip(
        sweeps.groupby(TABLE_KEYS, sort=True), blocks, strict=True
    ):
        title = f"{dataset} / {classifier}"
        yield _slug("tau_accuracy", dataset, classifier), gp.tau_accuracy(part, group, title)
        yield _slug("seeds", dataset, classifier), gp.seed_strip(part, group=group, title=title)
        yield (
            _slug("certainty_change", dataset, classifier),
            gp.certainty_change_box(mine, results.taus, title),
        )
        yield _slug("risk_coverage", dataset, classifier), gp.risk_coverage_plot(mine, title)
    rows = at_tau(sweeps, tau)
    rows = rows.assign(setting=rows["dataset"] + " / " + rows["classifier"])
    for column in swept:
        yield (
            _slug("sensitivity", column),
            gp.metric_vs_config(rows, column, hue="setting", title=f"τ = {tau:g}"),
        )
    corrupted = trial_sweeps(results, "test", None)
    if set(corrupted["corruption"]) != {"none"}:
        for (dataset, classifier), part in at_tau(corrupted, tau).groupby(TABLE_KEYS):
            yield (
                _slug("corruptions", dataset, classifier),
                gp.corruption_bars(part, f"{dataset} / {classifier}, τ = {tau:g}"),
            )
    for dataset, part in sweeps.groupby("dataset", sort=True):
        if part["classifier"].nunique() > 1:
            yield _slug("classifiers", dataset), gp.compare_by(part, "classifier", title=dataset)
    for name, trial, examples in examples_by_block(results):
        yield (
            _slug("examples", *name.split(" / ")),
            gp.examples_grid(examples, title=f"{name}, trial {trial}"),
        )


def write_figures(
    results: str | Path, out: Path, split: str = "test", tau: float = REPORT_TAU, fmt: str = "png"
) -> list[Path]:
    """Every figure as a file in `out`. All are drawn (into memory: a study's figures are a few
    MB) before the first is written, so a failure on the way leaves no file behind."""
    check_tau(tau)
    if out.exists() and not out.is_dir():
        raise GwinError(f"--out {out} is a file; pass a folder for the figures")
    loaded = load_results(results)
    drawn = []
    for name, fig in figures(loaded, split, tau):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=120, bbox_inches="tight")
        drawn.append((out / f"{name}.{fmt}", buffer.getvalue()))
    for path, data in drawn:
        with atomic_path(path) as tmp:  # each file whole, even if the disk fills up meanwhile
            tmp.write_bytes(data)
    return [path for path, _ in drawn]


@command()
def main(argv: list[str] | None = None) -> int:
    parser = results_parser(__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the figure files")
    parser.add_argument(
        "--tau",
        type=float,
        default=REPORT_TAU,
        help=f"threshold of the sensitivity and robustness figures (default: {REPORT_TAU})",
    )
    parser.add_argument(
        "--format", default="png", choices=("png", "pdf", "svg"), help="image format (default: png)"
    )
    args = parser.parse_args(argv)
    check_tau(args.tau)  # before the study is read (write_figures checks it again for callers)
    paths = write_figures(args.results, args.out, args.split, args.tau, args.format)
    print("\n".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
