"""Does any GWIN that fits a CPU budget beat the identity baseline against the paper's classifier?

The classifier is the paper's (30 epochs, P_c from the whole training split, both cached after
the first run) with classifier seed 0 for every trial, so only the WGWIN-GP is trained. Optuna
(TPE) + ASHA search the generator form, width, learning rates, lambda_Loss, n_critic and the
number of generator iterations (at most 4,000, which keeps the GWIN stage within about 30 minutes
on 2 cores) for the VALIDATION gain over the identity baseline at tau = 0.8. Today's `cpu`
preset is the first point evaluated. The best values are then re-run over --seeds; their
test-split numbers are the answer (docs/fidelity.md, "A CPU budget against the paper's classifier").

    python studies/search_cpu_budget.py --dry-run
    DATA=../shared/datasets/fashion-mnist
    python studies/search_cpu_budget.py --data-dir $DATA --cpus-per-trial 2
    python studies/search_cpu_budget.py --data-dir $DATA --cpus-per-trial 2 --resume

Results: STORAGE/NAME (default ./runs/search_cpu_budget); `python analysis/tables.py` on it.
"""

import sys

from gwin.tune import search_main

SPACE = {
    "generator": ("choice", ["residual", "dcgan"]),
    "dim": ("choice", [8, 16, 32]),
    "lambda_loss": ("loguniform", 1.0, 100.0),
    "lr_g": ("loguniform", 1e-4, 3e-3),
    "lr_d": ("loguniform", 1e-4, 3e-3),
    "n_critic": ("int", 1, 5),
    # not 1,500 / 4,500: ASHA's rungs (500, 1,500) must not fall on a trial's last iteration
    "iterations": ("choice", [1000, 2000, 4000]),
}
# the `cpu` preset as it is, except 2,000 iterations (its 1,500 would be a rung)
CPU_PRESET = dict(
    generator="residual", dim=16, lambda_loss=10.0, lr_g=1e-3, lr_d=1e-3, n_critic=2,
    iterations=2000,
)  # fmt: skip
DEFAULTS = dict(
    clf_epochs=30,  # the paper's classifier
    classifier_seed=0,
    confident_pool=50_000,  # the whole training split (a preset's None cannot be overridden)
    val_limit=5_000,
    eval_size=2_000,
    eval_every=500,
    checkpoint_every=500,
)


def main(argv: list[str] | None = None) -> int:
    return search_main(
        "search_cpu_budget",
        SPACE,
        description=__doc__,
        defaults=DEFAULTS,
        datasets=("fashion_mnist",),
        preset="cpu",
        seeds=3,
        num_samples=12,
        start_points=[CPU_PRESET],
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
