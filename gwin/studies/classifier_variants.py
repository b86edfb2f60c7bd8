r"""Does the GWIN help whatever C's uncertainty comes from? Five classifiers, one GWIN setting.

classifier in {lenet5, bcnn} (Bayesian, Flipout), lenet5_dropout (MC dropout), lenet5_ensemble
(a deep ensemble of --ensemble-size LeNet-5s) and lenet5_softmax (one deterministic net, its
softmax probability as certainty), crossed with --datasets and --seeds; every GWIN setting is
the same for all, so differences are the classifier's (gwin.models.registry).

    python studies/classifier_variants.py --dry-run                   # show the grid, run nothing
    python studies/classifier_variants.py --preset smoke --datasets digits --seeds 2
    python studies/classifier_variants.py --preset cpu --datasets fashion_mnist --seeds 2 \
        --data-dir ../shared/datasets/fashion-mnist                 # 10 trials, ~70 min, 2 cores
    python studies/classifier_variants.py --preset cpu --datasets fashion_mnist --seeds 2 \
        --data-dir ../shared/datasets/fashion-mnist --resume
    python studies/classifier_variants.py --classifiers lenet5 lenet5_softmax --seeds 3

Results: STORAGE/NAME/results (default ./runs/classifier_variants); the comparison with
`gwin tables runs/classifier_variants --classifiers` (and in the HTML report of
`gwin report runs/classifier_variants`). `--help` lists all flags.
"""

import sys

from gwin.names import CLASSIFIERS
from gwin.tune import AxisFlag, study_main


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "classifier_variants",
        {"classifier": list(CLASSIFIERS)},
        description=__doc__,
        defaults={"tau_star": 0.95},
        axis_flags=[
            AxisFlag(
                "--classifiers",
                "classifier",
                "the classifiers compared",
                type=str,
                choices=CLASSIFIERS,
            )
        ],
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
