"""One self-contained HTML report of a study: tables, figures, robustness, selective views.

    gwin report RESULTS [--out report.html [--overwrite]] [--split test] [--tau 0.8]

RESULTS is a study folder (STORAGE/NAME, a local path or a URI such as s3://bucket/NAME, as
the study printed it), its results/ folder, or one trial's --out folder. Figures are PNGs
embedded as base64 data URIs, so the file needs nothing else to display. Every number
comes from gwin.report (stats and tables), the functions `gwin tables` uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gwin.analysis import check_tau, results_parser
from gwin.analysis import report_metrics as more
from gwin.analysis import report_sections as section_of
from gwin.analysis.report_verdict import verdict_block
from gwin.errors import GwinError, command
from gwin.method.rejection import REPORT_TAU
from gwin.progress import bar
from gwin.report.html_page import Page
from gwin.report.stats import swept_columns, trial_sweeps
from gwin.store.location import Folder, check_output_file, first_line, name_of, write_bytes
from gwin.store.reader import load_results


def build_report(results: str | Path, split: str = "test", tau: float = REPORT_TAU) -> str:
    """The whole report as one HTML string."""
    r = load_results(results)
    swept = swept_columns(r.trials)
    sweeps = trial_sweeps(r, split, "none")
    page = Page()
    views: list = []  # the harm and three-way views per block, computed once for both
    sections = [
        lambda: section_of.title(page, r),
        lambda: verdict_block(page, sweeps, swept, split, tau),
        lambda: section_of.intro(page, r, swept, split),
        lambda: section_of.headline(page, sweeps, swept, tau),
        lambda: section_of.tables(page, r, swept, split),
        lambda: section_of.figures(page, r, sweeps, swept, split, tau),
        lambda: section_of.variability(page, sweeps, swept, tau, split),
        lambda: section_of.noise_sources(page, r, swept, split, tau),
        lambda: section_of.sensitivity(page, sweeps, swept, tau, split),
        lambda: section_of.robustness(page, r, swept, tau),
        lambda: section_of.selective(page, r, swept, split),
        lambda: views.extend(more.per_block(r, swept, split, tau)),
        lambda: more.harm_section(page, views, swept, split),
        lambda: more.three_way_section(page, views, swept, split, tau),
        lambda: section_of.classifiers(page, r, sweeps, split, tau),
        lambda: section_of.curves(page, r),
    ]
    with bar(len(sections), "report", None, "section") as shown:  # on a terminal only
        for section in sections:
            section()
            shown.update(1)
    if not r.failed.empty:
        page.heading(2, "Failed trials")
        failed = r.failed.assign(error=r.failed["error"].astype(str).str.split("\n").str[0])
        page.table(failed[["trial_id", "seed", "error"]])
    return page.html(f"GWIN report: {name_of(r.source)}")


@command()
def main(argv: list[str] | None = None) -> int:
    parser = results_parser(__doc__)
    parser.add_argument(
        "--out", help="HTML file, a local path or a URI (default: RESULTS/report.html)"
    )
    parser.add_argument(
        "--tau",
        type=float,
        default=REPORT_TAU,
        help=f"threshold of the headline, robustness and sensitivity views (default: {REPORT_TAU})",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    args = parser.parse_args(argv)
    check_tau(args.tau)
    out = Folder.at(args.out) if args.out else Folder.at(args.results).child("report.html")
    # before the study is read; the default RESULTS/report.html is the report's own file,
    # replaced on every run, while a file the user named is kept unless --overwrite says so
    check_output_file(out, overwrite=args.overwrite or not args.out)
    text = build_report(args.results, args.split, args.tau)
    try:
        write_bytes(out.fs, out.root, text.encode("utf-8"))
    except OSError as err:
        raise GwinError(f"cannot write --out {out.location}: {first_line(err)}") from err
    print(f"report: {out.location} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
