"""Ablation of tau*, the certainty threshold of the confident set P_c the critic learns from.

Declared in gwin/studies/ablation_tau_star.py; this script runs it from a checkout, as `gwin
study ablation_tau_star` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.ablation_tau_star import main

if __name__ == "__main__":
    sys.exit(main())
