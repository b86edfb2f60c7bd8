"""Our numbers beside every cell of the paper's Tables 1 and 2 that a study covers.

    gwin paper-check RESULTS [RESULTS ...] [--split test] [--format markdown|csv]
    gwin paper-check TABLE.csv [TABLE.csv ...] [--format markdown|csv]

Per setting of the study (its swept columns), tau and metric of the paper's tables, and C's
accuracy with no rejection: ours as mean ± std over seeds with the number of seeds, the paper's
mean ± std over its 10 runs, the band of values that agree with it, and the verdict (`agrees`,
`overlaps`, `outside`) of the rule in docs/fidelity.md (gwin.report.paper_check). Only MNIST and
Fashion-MNIST have tables; other datasets of the study are left out. Several studies (e.g. one
per seed) are read as one, so a cell's mean and std run over all their seeds. Per-tau tables
(`gwin tables STUDY --by iterations --format csv`, e.g. the committed docs/data/*_test_by_tau.csv)
are read in place of studies, pooled exactly over their seeds: a fresh clone checks committed
rows without the runs that wrote them.
"""

from __future__ import annotations

import sys

from gwin.analysis import results_parser
from gwin.errors import GwinError, command
from gwin.report.paper_check import (
    check_blocks,
    check_table,
    counts_line,
    departures,
    paper_check,
)
from gwin.report.provenance import ran_on
from gwin.report.stats import read_aggregates
from gwin.report.tables import blocks, render
from gwin.store.reader import load_many

RULE = (
    "ours: mean ± std over seeds; the paper: mean ± std over 10 runs; agrees: our mean inside "
    "the paper's ± 2 std (% Reject: ± 25%; accuracy with no rejection: ± 1 point); overlaps: "
    "our 95% t-interval reaches into that band"
)


def build(results: list[str], split: str | None = None, fmt: str = "markdown") -> str:
    """The check of studies, or of per-tau tables (every argument a .csv file)."""
    tables = [r for r in results if r.endswith(".csv")]
    if tables and len(tables) < len(results):
        raise GwinError("pass studies or per-tau tables (.csv), not both")
    if tables:
        if split is not None:
            raise GwinError("--split is for studies: a per-tau table holds one split already")
        agg, keys = read_aggregates(tables)
        frame = check_blocks(blocks(agg, keys, ""))
        source, holds = " + ".join(tables), sorted(set(agg["dataset"].dropna()))
        caption = f"the per-tau tables {source}; {RULE}"
        # a table records neither the settings nor the machine: its run's commit message does
        footer = "Settings and machine: those of the runs that wrote the tables (not in them)."
    else:
        split = split or "test"
        loaded = load_many(results)
        frame = paper_check(loaded, split)
        source, holds = loaded.source, sorted(set(loaded.trials["dataset"].dropna()))
        caption = f"{split} split; {RULE}"
        footer = f"{departures(loaded.trials)}\n{ran_on(loaded.trials)}"
    if frame.empty:
        raise GwinError(
            f"the paper has tables for mnist and fashion_mnist only; {source} holds "
            f"{', '.join(holds)}"
        )
    if fmt == "csv":
        return frame.to_csv(index=False)
    table = render(check_table(frame))
    return f"## paper check ({caption})\n\n{table}\n\n{counts_line(frame)}\n{footer}\n"


@command()
def main(argv: list[str] | None = None) -> int:
    parser = results_parser(
        __doc__,
        several=True,
        also="; or per-tau tables (.csv) written by `gwin tables STUDY --format csv`, pooled",
    )
    parser.set_defaults(split=None)  # test for studies; refused with per-tau tables
    parser.add_argument(
        "--format", default="markdown", choices=("markdown", "csv"), help="(default: markdown)"
    )
    args = parser.parse_args(argv)
    sys.stdout.write(build(args.results, args.split, args.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
