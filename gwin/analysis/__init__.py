"""The analysis commands: `gwin tables|plots|report RESULTS` (also `python analysis/<name>.py`)."""

from __future__ import annotations

import argparse

from gwin.errors import OneLineParser


def results_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments every analysis command shares: the results location and the split."""
    parser = OneLineParser(description=doc.splitlines()[0])
    parser.add_argument(
        "results",
        help="study folder (STORAGE/NAME, a local path or a URI such as s3://bucket/NAME), its "
        "results/ folder, or a trial's --out folder",
    )
    parser.add_argument(
        "--split",
        default="test",
        choices=("test", "val"),
        help="which split the tables read (default: test; choose settings on val)",
    )
    return parser
