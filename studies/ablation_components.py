"""Which part of the WGWIN-GP does the work? The full loss against each term alone.

Declared in gwin/studies/ablation_components.py; this script runs it from a checkout, as `gwin
study ablation_components` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.ablation_components import main

if __name__ == "__main__":
    sys.exit(main())
