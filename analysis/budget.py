"""The GWIN's gain against its training budget, over studies: one table and one figure.

Defined in gwin/analysis/budget.py; this script runs it from a checkout. `--help` lists its flags.

    python analysis/budget.py docs/data/budget_per_trial.csv --out docs/img/budget_gain.png
"""

import sys

from gwin.analysis.budget import main

if __name__ == "__main__":
    sys.exit(main())
