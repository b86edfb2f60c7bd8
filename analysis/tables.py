"""Table 1/2-style tables of a study: mean ± std over seeds per dataset and classifier.

Defined in gwin/analysis/tables.py; this script runs it from a checkout, as `gwin tables` does
from an installed package. `--help` lists its flags.
"""

import sys

from gwin.analysis.tables import main

if __name__ == "__main__":
    sys.exit(main())
