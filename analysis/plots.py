"""Figures of a study as image files: Figures 2-5 and the ablation / robustness / selective views.

Defined in gwin/analysis/plots.py; this script runs it from a checkout, as `gwin plots` does
from an installed package. `--help` lists its flags.
"""

import sys

from gwin.analysis.plots import main

if __name__ == "__main__":
    sys.exit(main())
