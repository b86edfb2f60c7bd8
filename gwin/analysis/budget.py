"""The GWIN's gain against its training budget, over studies: tables and figures.

    gwin budget docs/data/budget_per_trial.csv --out docs/img/budget_gain.png
    gwin budget docs/data/budget_per_trial.csv --strength-out docs/img/strength_gain.png

Reads per-trial rows (one per classifier variant, seed and budget, the columns of
`tables.py --per-trial --format csv` plus `variant`), prints mean ± std over seeds of the
validation and test gains over the identity baseline at tau = 0.8 per variant and budget, with
how many seeds are significant each way (exact McNemar, p < 0.05), and draws the test gain
against the budget. `--strength-out` adds the same cells for the LeNet-5 variants that differ
only in classifier epochs (2, 5, 10, 30: where the gain ends as C gets stronger) and draws the
test gain against C's epochs, one line per budget. The budget study's classifiers ran as
separate studies, on separate machines, so their rows are kept as data (docs/data/) rather than
as one study folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from gwin.errors import GwinError, OneLineParser, command
from gwin.report.figure_style import check_figure_path, save_figure, seeds_note
from gwin.report.figures import learning_curves

COLUMNS = ("variant", "seed", "iterations", "val_gain", "test_gain", "mcnemar_p")
STRENGTH_CLASSIFIER = "lenet5"  # the variants of one network that differ only in its epochs
SIGNIFICANT = 0.05


def read_budget(path: str | Path) -> pd.DataFrame:
    """The per-trial rows, checked: every column there, one row per variant, budget and seed."""
    try:
        rows = pd.read_csv(path)
    except FileNotFoundError:
        raise GwinError(f"no such file: {path}") from None
    missing = [c for c in COLUMNS if c not in rows.columns]
    if missing:
        raise GwinError(f"{path} lacks the column(s) {', '.join(missing)}; it needs {COLUMNS}")
    twice = rows.duplicated(["variant", "iterations", "seed"])
    if twice.any():
        first = rows[twice].iloc[0]
        raise GwinError(
            f"{path} has two rows for {first['variant']} at {first['iterations']} iterations, "
            f"seed {first['seed']}; keep one per seed"
        )
    return rows


def budget_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std (n - 1) over seeds per variant and budget; seeds significant up and down."""
    up = (rows["mcnemar_p"] < SIGNIFICANT) & (rows["test_gain"] > 0)
    down = (rows["mcnemar_p"] < SIGNIFICANT) & (rows["test_gain"] < 0)
    grouped = rows.assign(up=up, down=down).groupby(["variant", "iterations"], sort=True)
    return pd.DataFrame(
        {
            "val_mean": grouped["val_gain"].mean(),
            "test_mean": grouped["test_gain"].mean(),
            "test_std": grouped["test_gain"].std(),
            "seeds": grouped["seed"].count(),
            "significant_up": grouped["up"].sum(),
            "significant_down": grouped["down"].sum(),
        }
    ).reset_index()


def budget_markdown(
    table: pd.DataFrame, header: str = "classifier", labels: dict[str, str] | None = None
) -> str:
    """One row per variant (in the order of `labels`, else by name), one column per budget:
    test mean ± std, then up/down counts."""

    def cell(r) -> str:
        std = "n/a" if pd.isna(r.test_std) else f"{r.test_std:.2f}"
        return (
            f"{r.test_mean:+.2f} ± {std} ({r.significant_up}↑ {r.significant_down}↓ of {r.seeds})"
        )

    budgets = sorted(table["iterations"].unique())
    labels = labels or {v: f"`{v}`" for v in sorted(table["variant"].unique())}
    lines = [
        f"| {header} | " + " | ".join(f"{b:,}" for b in budgets) + " |",
        "| --- |" + " --- |" * len(budgets),
    ]
    for variant, label in labels.items():
        by_budget = {r.iterations: cell(r) for r in table[table["variant"] == variant].itertuples()}
        lines.append(f"| {label} | " + " | ".join(by_budget.get(b, "") for b in budgets) + " |")
    return "\n".join(lines)


def budget_figure(rows: pd.DataFrame) -> Figure:
    """Test gain over the identity at tau = 0.8 against the budget, mean ± sd per variant."""
    fig = learning_curves(
        rows,
        metric="test_gain",
        hue="variant",
        x="iterations",
        title="GWIN − Identity on rejected test inputs (τ = 0.8) against the training budget",
    )
    fig.axes[0].set(xlabel="generator iterations", ylabel="GWIN − Identity (points)")
    return fig


def strength_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the LeNet-5 variants that differ only in classifier epochs, with `clf_epochs`
    (from the budget study's own variant table, so a name and its epochs cannot drift apart)."""
    from gwin.studies.budget_curve import VARIANTS

    epochs = {
        name: v["clf_epochs"]
        for name, v in VARIANTS.items()
        if v["classifier"] == STRENGTH_CLASSIFIER
    }
    picked = rows[rows["variant"].isin(list(epochs))]
    return picked.assign(clf_epochs=picked["variant"].map(epochs))


def strength_markdown(rows: pd.DataFrame) -> str:
    """The budget table's cells with one row per classifier epochs, fewest first."""
    picked = strength_rows(rows)
    epochs = picked.groupby("variant")["clf_epochs"].first().sort_values()
    labels = {v: f"{n} (`{v}`)" for v, n in epochs.items()}
    return budget_markdown(budget_table(picked), "`lenet5` epochs", labels)


def strength_figure(rows: pd.DataFrame) -> Figure:
    """Test gain over the identity at tau = 0.8 against C's epochs, mean ± sd per budget."""
    data = strength_rows(rows)
    fig = learning_curves(
        data,
        metric="test_gain",
        hue="iterations",
        x="clf_epochs",
        title="GWIN − Identity on rejected test inputs (τ = 0.8) against C's training epochs",
    )
    ax = fig.axes[0]
    ticks = sorted(data["clf_epochs"].unique())
    ax.set(xscale="log", xlabel="classifier epochs (LeNet-5)", ylabel="GWIN − Identity (points)")
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    return fig


def provenance_note(fig: Figure, rows: pd.DataFrame) -> Figure:
    """Under the axes: how many seeds each point averages and where the rows ran."""
    seeds = rows.groupby(["variant", "iterations"])["seed"].nunique()
    where = "; ".join(sorted(rows["ran_on"].dropna().unique())) if "ran_on" in rows else "n/a"
    return seeds_note(fig, seeds, where)


@command()
def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", help="per-trial CSV (e.g. docs/data/budget_per_trial.csv)")
    parser.add_argument("--out", type=Path, help="write the figure here (.png, .pdf or .svg)")
    parser.add_argument(
        "--strength-out",
        type=Path,
        help="also print the classifier-epochs table and write its figure here",
    )
    args: argparse.Namespace = parser.parse_args(argv)
    check_figure_path("--out", args.out)
    check_figure_path("--strength-out", args.strength_out)
    rows = read_budget(args.rows)
    print(budget_markdown(budget_table(rows)))
    if args.out is not None:
        save_figure(provenance_note(budget_figure(rows), rows), args.out)
    if args.strength_out is not None:
        if strength_rows(rows).empty:
            raise GwinError(f"{args.rows} has no row of a `{STRENGTH_CLASSIFIER}` variant")
        print("\n" + strength_markdown(rows))
        save_figure(provenance_note(strength_figure(rows), strength_rows(rows)), args.strength_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
