"""Tables 1 and 2 of the paper: Bayesian LeNet-5 + WGWIN-GP on MNIST and Fashion-MNIST.

Declared in gwin/studies/reproduce_paper.py; this script runs it from a checkout, as `gwin
study reproduce_paper` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.reproduce_paper import main

if __name__ == "__main__":
    sys.exit(main())
