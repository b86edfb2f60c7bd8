r"""How does the GWIN's gain grow with its training budget? Six classifiers, 8,000 iterations.

One run per classifier and seed.

Variants (crossed with --datasets and --seeds; every other setting is the `cpu` preset's):
  lenet5         the `cpu` preset's Bayesian LeNet-5 (2 epochs)
  lenet5_5ep     the same LeNet-5 trained for 5 epochs   } between the two: where the gain
  lenet5_10ep    the same LeNet-5 trained for 10 epochs  } ends as C gets stronger
  lenet5_30ep    the paper's Bayesian LeNet-5 (30 epochs)
  bcnn           the stronger Bayesian CNN (2 epochs)
  lenet5_softmax one deterministic LeNet-5, its softmax probability as certainty (2 epochs)
Each run trains 8,000 generator iterations, validates every 500 (the learning curve, stored as
the trial's `history`) and is also evaluated on test at the --snapshots, each recorded as the
trial with `iterations = k` (training never depends on the total, so those are the trials a
shorter run would give): one run per classifier and seed gives the whole budget curve, and
test never chooses anything.

    python studies/budget_curve.py --dry-run                          # show the grid, run nothing
    python studies/budget_curve.py --preset smoke --datasets digits --seeds 1 --tau-star 0.5 \
        --iterations 40 --snapshots 10 20 --eval-every 10            # the pipeline in minutes
    python studies/budget_curve.py --datasets fashion_mnist --seeds 3 --cpus-per-trial 1 \
        --max-concurrent 1 --data-dir ../shared/datasets/fashion-mnist   # hours of CPU
    python studies/budget_curve.py --datasets fashion_mnist --seeds 3 --cpus-per-trial 1 \
        --max-concurrent 1 --data-dir ../shared/datasets/fashion-mnist --resume

Results: STORAGE/NAME (default ./runs/budget_curve). Rows per classifier, clf_epochs and
budget (iterations), test split: `gwin tables runs/budget_curve`; the learning
curves (validation, every 500 iterations): `gwin tables runs/budget_curve
--curves`; both in `gwin report runs/budget_curve`. Figures: docs/fidelity.md.
"""

import sys

from gwin.tune import study_main

VARIANTS = {
    "lenet5": {"classifier": "lenet5", "clf_epochs": 2},
    "lenet5_5ep": {"classifier": "lenet5", "clf_epochs": 5},
    "lenet5_10ep": {"classifier": "lenet5", "clf_epochs": 10},
    "lenet5_30ep": {"classifier": "lenet5", "clf_epochs": 30},
    "bcnn": {"classifier": "bcnn", "clf_epochs": 2},
    "lenet5_softmax": {"classifier": "lenet5_softmax", "clf_epochs": 2},
}


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "budget_curve",
        {},
        description=__doc__,
        defaults={
            "iterations": 8_000,
            "snapshots": [1_500, 3_000, 6_000],
            "eval_every": 500,
            "checkpoint_every": 500,
        },
        preset="cpu",
        datasets=("fashion_mnist",),
        variants=VARIANTS,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
