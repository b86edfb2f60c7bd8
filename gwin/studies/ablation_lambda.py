r"""Ablation of lambda_Loss, the weight of the transformation penalty CE(C(G(x, z)), y).

lambda_Loss in {0, 0.1, 1, 10, 100} (or --lambdas), tau* = 0.95, crossed with --datasets and
--seeds. Classifiers depend only on the seed, so S seeds train S classifiers per dataset.

    python studies/ablation_lambda.py --dry-run                       # show the grid, run nothing
    python studies/ablation_lambda.py --preset smoke --datasets digits --seeds 2
    python studies/ablation_lambda.py --preset smoke --datasets digits --seeds 2 --resume
    python studies/ablation_lambda.py --preset cpu --datasets fashion_mnist --lambdas 0 10 \
        --data-dir ../shared/datasets/fashion-mnist

Results: STORAGE/NAME/results (default ./runs/ablation_lambda); tables with
`gwin tables runs/ablation_lambda`. `--help` lists all flags.
"""

import sys

from gwin.tune import AxisFlag, study_main

LAMBDAS = [0.0, 0.1, 1.0, 10.0, 100.0]


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "ablation_lambda",
        {"lambda_loss": LAMBDAS},
        description=__doc__,
        defaults={"tau_star": 0.95},
        axis_flags=[AxisFlag("--lambdas", "lambda_loss", "lambda_Loss values")],
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
