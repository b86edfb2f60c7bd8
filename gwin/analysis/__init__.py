"""The analysis commands: `gwin tables|plots|report RESULTS` (also `python analysis/<name>.py`)."""

from __future__ import annotations

import argparse
import math

from gwin.errors import GwinError, OneLineParser


def results_parser(doc: str, several: bool = False, also: str = "") -> argparse.ArgumentParser:
    """The arguments every analysis command shares: the results location and the split;
    `several`: one or more locations, read as one (e.g. one study per seed); `also`: what else
    the command reads in their place, for the help."""
    parser = OneLineParser(description=doc.splitlines()[0])
    parser.add_argument(
        "results",
        nargs="+" if several else None,
        help="study folder (STORAGE/NAME, a local path or a URI such as s3://bucket/NAME), its "
        "results/ folder, or a trial's --out folder"
        + ("; several are read as one, e.g. one study per seed" if several else "")
        + also,
    )
    parser.add_argument(
        "--split",
        default="test",
        choices=("test", "val"),
        help="which split the tables read (default: test; choose settings on val)",
    )
    return parser


def check_tau(tau: float) -> float:
    """`--tau` refused up front if it is no threshold on a certainty (NaN included), before a
    study is read or a file written."""
    if not (0.0 <= tau <= 1.0) or math.isnan(tau):
        raise GwinError(f"--tau must be in [0, 1], got {tau:g}")
    return tau
