r"""The paper's Bayesian LeNet-5 against a stronger Bayesian CNN, with the same GWIN settings.

classifier in {lenet5, bcnn} (see gwin.models.classifiers), crossed with --datasets and
--seeds; every GWIN setting is the same for both, so the difference is the classifier's.

    python studies/stronger_bnn.py --dry-run                          # show the grid, run nothing
    python studies/stronger_bnn.py --preset smoke --datasets digits --seeds 2
    python studies/stronger_bnn.py --preset smoke --datasets digits --seeds 2 --resume
    python studies/stronger_bnn.py --preset paper --datasets mnist fashion_mnist --seeds 10 \
        --gpus-per-trial 0.25 --data-dir DATA                         # the appendix comparison

Results: STORAGE/NAME/results (default ./runs/stronger_bnn); tables with
`gwin tables runs/stronger_bnn`. `--help` lists all flags.
"""

import sys

from gwin.tune import study_main


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "stronger_bnn",
        {"classifier": ["lenet5", "bcnn"]},
        description=__doc__,
        defaults={"tau_star": 0.95},
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
