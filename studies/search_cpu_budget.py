"""Does any GWIN that fits a CPU budget beat the identity baseline against the paper's classifier?

Declared in gwin/studies/search_cpu_budget.py; this script runs it from a checkout, as `gwin
study search_cpu_budget` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.search_cpu_budget import main

if __name__ == "__main__":
    sys.exit(main())
