"""Both gains against the budget for runs kept as per-trial rows: one table and one figure.

    gwin gains docs/data/factor_*_per_trial.csv --out docs/img/factor_gain.png
    gwin gains docs/data/budget_mnist_*_per_trial.csv --out docs/img/mnist_gain.png

Each file is one run's `tables.py --per-trial --format csv` rows (docs/data/runs_lib.sh writes
them as NAME_per_trial.csv). A run's line is its file name without `_per_trial.csv`, its seed
(`_s0`) and its dataset (`mnist`, `fashion`), so one run per seed pools into one line, mean ± sd
over seeds, and the same factor has the same name on every dataset. The figure has a column per
dataset and a row per metric at tau = 0.8: validation GWIN − Identity (what the studies' rules
decide on), test Rejected Acc. Δ (the paper's metric) and test GWIN − Identity (ours).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from gwin.errors import GwinError, OneLineParser, command
from gwin.report.figure_style import (
    check_figure_path,
    figure_legend,
    mean_sd_line,
    save_figure,
    seeds_note,
    zero_line,
)

# (column, what it is) in the figure's row order
METRICS = {
    "val_gain": "val GWIN − Identity",
    "test_rejected_acc_delta": "test Rejected Acc. Δ (paper's)",
    "test_gain": "test GWIN − Identity (ours)",
}
KEYS = ("dataset", "seed", "iterations")
DATASET_WORDS = {"mnist": "mnist", "fashion_mnist": "fashion"}  # how run names spell them


def run_label(path: Path, dataset: str) -> str:
    """factor_fashion_30ep_s0_pool_all_per_trial.csv (fashion_mnist) -> factor_30ep_pool_all."""
    words = path.name.removesuffix(".csv").removesuffix("_per_trial").split("_")
    dropped = {DATASET_WORDS.get(dataset, dataset)}
    return "_".join(w for w in words if w not in dropped and not re.fullmatch(r"s\d+", w))


def read_runs(paths: list[Path]) -> pd.DataFrame:
    """Every file's rows with its `run` label; each column checked, no row twice."""
    frames = []
    for path in paths:
        try:
            rows = pd.read_csv(path)
        except FileNotFoundError:
            raise GwinError(f"no such file: {path}") from None
        missing = [c for c in (*KEYS, *METRICS) if c not in rows.columns]
        if missing:
            raise GwinError(
                f"{path} lacks {', '.join(missing)}: write it with "
                "`gwin tables STUDY --per-trial --format csv`"
            )
        datasets = rows["dataset"].unique()
        if len(datasets) != 1:
            raise GwinError(f"{path} holds {len(datasets)} datasets; keep one run per file")
        frames.append(rows.assign(run=run_label(path, str(datasets[0]))))
    runs = pd.concat(frames, ignore_index=True)
    twice = runs.duplicated(["run", *KEYS])
    if twice.any():
        first = runs[twice].iloc[0]
        raise GwinError(
            f"two rows of run {first['run']} ({first['dataset']}, seed {first['seed']}) at "
            f"{first['iterations']} iterations: pass each run's file once"
        )
    return runs


def gains_markdown(runs: pd.DataFrame) -> str:
    """One row per dataset, run and budget: each metric's mean ± std over seeds."""
    grouped = runs.groupby(["dataset", "run", "iterations"], sort=True)
    lines = [
        "| dataset | run | iterations | seeds | " + " | ".join(METRICS.values()) + " |",
        "| --- | --- | --- | --- |" + " --- |" * len(METRICS),
    ]
    for (dataset, run, iterations), part in grouped:
        cells = []
        for metric in METRICS:
            mean, std = part[metric].mean(), part[metric].std()
            cells.append(f"{mean:+.2f}" + ("" if pd.isna(std) else f" ± {std:.2f}"))
        seeds = part["seed"].nunique()
        lines.append(
            f"| {dataset} | {run} | {iterations:,} | {seeds} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def gains_figure(runs: pd.DataFrame, ran_on: str) -> Figure:
    """A column per dataset, a row per metric; a line per run, mean ± sd over its seeds."""
    datasets = sorted(runs["dataset"].unique())
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(5.0 * len(datasets), 3.0 * len(METRICS)))
        axes = fig.subplots(len(METRICS), len(datasets), squeeze=False, sharex="col")
    for col, dataset in enumerate(datasets):
        data = runs[runs["dataset"] == dataset]
        for row, (metric, name) in enumerate(METRICS.items()):
            ax = axes[row, col]
            mean_sd_line(
                ax, data, "iterations", metric, hue="run", hue_order=sorted(runs["run"].unique())
            )
            zero_line(ax)
            ax.set(xlabel="generator iterations", ylabel=f"{name}\n(points)" if col == 0 else "")
            ax.set_title(dataset if row == 0 else "")
    fig.suptitle("Both gains on rejected inputs (τ = 0.8) against the training budget")
    fig.tight_layout()
    figure_legend(fig, list(axes.flat))
    return seeds_note(fig, runs.groupby(["dataset", "run", "iterations"])["seed"].nunique(), ran_on)


def ran_on(runs: pd.DataFrame, unrecorded: str) -> str:
    """Where the rows ran, from their `ran_on` column; `unrecorded` for rows without one."""
    recorded = runs["ran_on"] if "ran_on" in runs.columns else pd.Series(index=runs.index)
    return "; ".join(sorted(set(recorded.fillna(unrecorded).astype(str))))


@command()
def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="+", type=Path, help="one run's per-trial CSV per file")
    parser.add_argument("--out", type=Path, help="write the figure here (.png, .pdf or .svg)")
    parser.add_argument(
        "--ran-on",
        default="not recorded in the rows",
        help="the device and threads of rows without a `ran_on` column (older exports), for "
        "the figure's note, e.g. 'cpu, 1 thread'",
    )
    args = parser.parse_args(argv)
    check_figure_path("--out", args.out)
    runs = read_runs(args.rows)
    print(gains_markdown(runs))
    if args.out is not None:
        save_figure(gains_figure(runs, ran_on(runs, args.ran_on)), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
