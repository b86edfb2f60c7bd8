r"""Which part of the WGWIN-GP does the work? The full loss against each term alone.

Variants (crossed with --datasets and --seeds; every other setting is the preset's):
  full           L_G = -D(G(x, z), y) + lambda_Loss * CE(C(G(x, z)), y)   (Algorithm 1)
  critic_off     L_G = lambda_Loss * CE(C(G(x, z)), y); no critic is trained
  lambda_loss_0  L_G = -D(G(x, z), y): the critic alone, no transformation penalty
Read every GWIN number beside the identity baseline (C re-drawn on the unchanged input), which
the tables show as "Identity Acc." and "GWIN − Identity".

    python studies/ablation_components.py --dry-run                   # show the grid, run nothing
    python studies/ablation_components.py --preset smoke --datasets digits --seeds 2
    python studies/ablation_components.py --preset smoke --datasets digits --seeds 2 --resume
    python studies/ablation_components.py --preset cpu --datasets fashion_mnist --seeds 3 \
        --data-dir ../shared/datasets/fashion-mnist

Results: STORAGE/NAME/results (default ./runs/ablation_components); tables with
`gwin tables runs/ablation_components` (rows by use_critic and lambda_loss).
"""

import sys

from gwin.tune import study_main

VARIANTS = {
    "full": {"use_critic": True, "lambda_loss": 10.0},
    "critic_off": {"use_critic": False, "lambda_loss": 10.0},
    "lambda_loss_0": {"use_critic": True, "lambda_loss": 0.0},
}


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "ablation_components",
        {},
        description=__doc__,
        defaults={"tau_star": 0.95},
        variants=VARIANTS,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
