"""The paper's Bayesian LeNet-5 against a stronger Bayesian CNN, with the same GWIN settings.

Declared in gwin/studies/stronger_bnn.py; this script runs it from a checkout, as `gwin study
stronger_bnn` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.stronger_bnn import main

if __name__ == "__main__":
    sys.exit(main())
