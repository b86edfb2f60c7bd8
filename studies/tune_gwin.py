"""Search GWIN hyperparameters, then re-evaluate the best configuration over several seeds.

Declared in gwin/studies/tune_gwin.py; this script runs it from a checkout, as `gwin study
tune_gwin` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.tune_gwin import main

if __name__ == "__main__":
    sys.exit(main())
