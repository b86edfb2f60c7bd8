"""Does the GWIN help whatever C's uncertainty comes from? Five classifiers, one GWIN setting.

Declared in gwin/studies/classifier_variants.py; this script runs it from a checkout, as `gwin
study classifier_variants` does from an installed package. `--help` lists its flags.
"""

import sys

from gwin.studies.classifier_variants import main

if __name__ == "__main__":
    sys.exit(main())
