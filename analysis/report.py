"""One self-contained HTML report of a study: tables, figures, robustness, selective views.

Defined in gwin/analysis/report.py; this script runs it from a checkout, as `gwin report` does
from an installed package. `--help` lists its flags.
"""

import sys

from gwin.analysis.report import main

if __name__ == "__main__":
    sys.exit(main())
