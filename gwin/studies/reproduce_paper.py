r"""Tables 1 and 2 of the paper: Bayesian LeNet-5 + WGWIN-GP on MNIST and Fashion-MNIST.

The paper's settings (preset `paper`: lambda_Loss = 10, tau* = 0.95, 200,000 generator
iterations, ...), 10 seeds per dataset; report mean +- std over seeds. `paper` is sized for GPUs:

    python studies/reproduce_paper.py --dry-run                       # show the grid, run nothing
    python studies/reproduce_paper.py --gpus-per-trial 0.25 --data-dir DATA
    python studies/reproduce_paper.py --gpus-per-trial 0.25 --data-dir DATA --resume
    python studies/reproduce_paper.py --address HEAD:6379 --storage s3://bucket/gwin \
        --gpus-per-trial 0.5                                          # on a Ray cluster
    python studies/reproduce_paper.py --preset smoke --datasets fashion_mnist --seeds 2 \
        --data-dir ../shared/datasets/fashion-mnist                   # a quick CPU check

Results: STORAGE/NAME/results (default ./runs/reproduce_paper); the tables with
`gwin tables runs/reproduce_paper`. `--help` lists all flags.
"""

import sys

from gwin.tune import study_main


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "reproduce_paper",
        {},
        description=__doc__,
        defaults={"classifier": "lenet5", "lambda_loss": 10.0, "tau_star": 0.95},
        datasets=("mnist", "fashion_mnist"),
        preset="paper",
        seeds=10,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
