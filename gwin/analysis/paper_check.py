"""Our numbers beside every cell of the paper's Tables 1 and 2 that a study covers.

    gwin paper-check RESULTS [RESULTS ...] [--split test] [--format markdown|csv]

Per setting of the study (its swept columns), tau and metric of the paper's tables, and C's
accuracy with no rejection: ours as mean ± std over seeds with the number of seeds, the paper's
mean ± std over its 10 runs, the band of values that agree with it, and the verdict (`agrees`,
`overlaps`, `outside`) of the rule in docs/fidelity.md (gwin.report.paper_check). Only MNIST and
Fashion-MNIST have tables; other datasets of the study are left out. Several studies (e.g. one
per seed) are read as one, so a cell's mean and std run over all their seeds.
"""

from __future__ import annotations

import sys

from gwin.analysis import results_parser
from gwin.errors import GwinError, command
from gwin.report.paper_check import check_table, counts_line, departures, paper_check
from gwin.report.provenance import ran_on
from gwin.report.tables import render
from gwin.store.reader import load_many


def build(results: list[str], split: str = "test", fmt: str = "markdown") -> str:
    loaded = load_many(results)
    frame = paper_check(loaded, split)
    if frame.empty:
        have = ", ".join(sorted(set(loaded.trials["dataset"].dropna())))
        raise GwinError(
            f"the paper has tables for mnist and fashion_mnist only; {loaded.source} holds {have}"
        )
    if fmt == "csv":
        return frame.to_csv(index=False)
    caption = (
        f"{split} split; ours: mean ± std over seeds; the paper: mean ± std over 10 runs; "
        "agrees: our mean inside the paper's ± 2 std (% Reject: ± 25%; accuracy with no "
        "rejection: ± 1 point); overlaps: our 95% t-interval reaches into that band"
    )
    table = render(check_table(frame))
    return (
        f"## paper check ({caption})\n\n{table}\n\n{counts_line(frame)}\n"
        f"{departures(loaded.trials)}\n{ran_on(loaded.trials)}\n"
    )


@command()
def main(argv: list[str] | None = None) -> int:
    parser = results_parser(__doc__, several=True)
    parser.add_argument(
        "--format", default="markdown", choices=("markdown", "csv"), help="(default: markdown)"
    )
    args = parser.parse_args(argv)
    sys.stdout.write(build(args.results, args.split, args.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
