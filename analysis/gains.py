"""Both gains against the budget for runs kept as per-trial rows: one table and one figure.

Defined in gwin/analysis/gains.py; this script runs it from a checkout. `--help` lists its flags.

    python analysis/gains.py docs/data/factor_*_per_trial.csv --out docs/img/factor_gain.png
"""

import sys

from gwin.analysis.gains import main

if __name__ == "__main__":
    sys.exit(main())
