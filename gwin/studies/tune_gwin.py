"""Search GWIN hyperparameters, then re-evaluate the best configuration over several seeds.

Per dataset: Optuna (TPE, seeded by --sampler-seed) proposes --num-samples configurations of
lambda_Loss, the learning rates, n_critic, lambda_GP and the generator width; ASHA stops poor
ones early; the score is the VALIDATION gain over the identity baseline on the inputs rejected
at tau = 0.8 (what G adds beyond re-drawing C on the unchanged input). The best values are then
run over --seeds; report those trials' test-split numbers.

    python studies/tune_gwin.py --dry-run                             # show the plan, run nothing
    python studies/tune_gwin.py --preset smoke --datasets digits --num-samples 8 --seeds 3
    python studies/tune_gwin.py --preset smoke --datasets digits --num-samples 8 --seeds 3 --resume

Results: STORAGE/NAME/results (default ./runs/tune_gwin; column `run` tells search-<dataset>
from best-<dataset> trials), the chosen values in STORAGE/NAME/best/<dataset>.json.
"""

import sys

from gwin.tune import search_main

SPACE = {
    "lambda_loss": ("loguniform", 0.1, 100.0),
    "lr_g": ("loguniform", 1e-5, 1e-2),
    "lr_d": ("loguniform", 1e-5, 1e-2),
    "n_critic": ("int", 1, 5),
    "lambda_gp": ("uniform", 1.0, 20.0),
    "dim": ("choice", [8, 16, 32, 64]),
}


def main(argv: list[str] | None = None) -> int:
    return search_main("tune_gwin", SPACE, description=__doc__, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
