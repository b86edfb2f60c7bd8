"""How does the GWIN's gain grow with its training budget? Four classifiers, 8,000 iterations.

Declared in gwin/studies/budget_curve.py; this script runs it from a checkout, as `gwin study
budget_curve` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.budget_curve import main

if __name__ == "__main__":
    sys.exit(main())
