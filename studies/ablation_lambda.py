"""Ablation of lambda_Loss, the weight of the transformation penalty CE(C(G(x, z)), y).

Declared in gwin/studies/ablation_lambda.py; this script runs it from a checkout, as `gwin
study ablation_lambda` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.ablation_lambda import main

if __name__ == "__main__":
    sys.exit(main())
