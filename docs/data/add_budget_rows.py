"""Append a finished budget run's rows to docs/data/budget_per_trial.csv (docs/fidelity.md).

    python docs/data/add_budget_rows.py docs/data/budget_lenet5_5ep_s0_per_trial.csv \
        --variant lenet5_5ep [--ran-on "cpu, 1 thread"]

The export is a study's own `tables.py --per-trial --format csv`, computed from its predictions;
its rows are rounded as the table shows them (gains to 2 decimals, p to 2 significant figures)
and name the export as their source, which tests/analysis/test_budget.py checks them against.
A variant, seed and budget already in the file is refused, so running it twice adds nothing.
`--ran-on` is needed only for exports older than their own `ran_on` column (2026-12-07).
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

from gwin.analysis.budget import read_budget
from gwin.errors import GwinError, command
from gwin.store.atomic import atomic_path

ROWS = Path(__file__).with_name("budget_per_trial.csv")


@command()
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--variant", required=True)
    parser.add_argument("--ran-on", help='e.g. "cpu, 1 thread" (default: the export\'s ran_on)')
    args = parser.parse_args(argv)
    export = pd.read_csv(args.export)
    if args.ran_on is None and "ran_on" not in export.columns:
        raise GwinError(f"{args.export} has no ran_on column: say where it ran with --ran-on")
    new = pd.DataFrame(
        {
            "variant": args.variant,
            "seed": export["seed"],
            "iterations": export["iterations"],
            "val_gain": export["val_gain"].round(2),
            "test_gain": export["test_gain"].round(2),
            "fixed": export["fixed"],
            "broken": export["broken"],
            "mcnemar_p": [float(f"{p:.2g}") for p in export["mcnemar_p"]],
            "ran_on": args.ran_on or export["ran_on"],
            "source": args.export.as_posix(),
        }
    )
    rows = read_budget(ROWS)
    both = pd.concat([rows, new], ignore_index=True)
    if both.duplicated(["variant", "iterations", "seed"]).any():
        raise GwinError(f"{ROWS} already has rows of {args.variant} for these seeds and budgets")
    with atomic_path(ROWS) as tmp:
        both.to_csv(tmp, index=False)
    print(f"{ROWS}: {len(new)} rows of {args.variant} added ({len(both)} in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
