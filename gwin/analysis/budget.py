"""The GWIN's gain against its training budget, over studies: one table and one figure.

    gwin budget docs/data/budget_per_trial.csv --out docs/img/budget_gain.png

Reads per-trial rows (one per classifier variant, seed and budget, the columns of
`tables.py --per-trial --format csv` plus `variant`), prints mean ± std over seeds of the
validation and test gains over the identity baseline at tau = 0.8 per variant and budget, with
how many seeds are significant each way (exact McNemar, p < 0.05), and draws the test gain
against the budget. The budget study's classifiers ran as separate studies, on separate
machines, so their rows are kept as data (docs/data/) rather than as one study folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from gwin.errors import GwinError, OneLineParser, command
from gwin.report.figures import learning_curves
from gwin.store.atomic import atomic_path

COLUMNS = ("variant", "seed", "iterations", "val_gain", "test_gain", "mcnemar_p")
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


def budget_markdown(table: pd.DataFrame) -> str:
    """One row per variant, one column per budget: test mean ± std, then up/down counts."""

    def cell(r) -> str:
        std = "n/a" if pd.isna(r.test_std) else f"{r.test_std:.2f}"
        return (
            f"{r.test_mean:+.2f} ± {std} ({r.significant_up}↑ {r.significant_down}↓ of {r.seeds})"
        )

    budgets = sorted(table["iterations"].unique())
    lines = [
        "| classifier | " + " | ".join(f"{b:,}" for b in budgets) + " |",
        "| --- |" + " --- |" * len(budgets),
    ]
    for variant, block in table.groupby("variant", sort=True):
        by_budget = {r.iterations: cell(r) for r in block.itertuples()}
        lines.append(f"| `{variant}` | " + " | ".join(by_budget.get(b, "") for b in budgets) + " |")
    return "\n".join(lines)


def budget_figure(rows: pd.DataFrame) -> Figure:
    """Test gain over the identity at tau = 0.8 against the budget, mean ± sd per variant."""
    fig = learning_curves(
        rows.rename(columns={"iterations": "iteration"}),
        metric="test_gain",
        hue="variant",
        title="GWIN − Identity on rejected test inputs (τ = 0.8) against the training budget",
    )
    fig.axes[0].set(xlabel="generator iterations", ylabel="GWIN − Identity (points)")
    return fig


@command()
def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", help="per-trial CSV (e.g. docs/data/budget_per_trial.csv)")
    parser.add_argument("--out", type=Path, help="write the figure here (.png, .pdf or .svg)")
    args: argparse.Namespace = parser.parse_args(argv)
    if args.out is not None and args.out.suffix not in (".png", ".pdf", ".svg"):
        raise GwinError(f"--out {args.out}: name a .png, .pdf or .svg file")
    rows = read_budget(args.rows)
    print(budget_markdown(budget_table(rows)))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(args.out) as tmp:
            budget_figure(rows).savefig(
                tmp, format=args.out.suffix[1:], dpi=120, bbox_inches="tight"
            )
        print(f"figure: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
