"""Ablation of tau*, the certainty threshold of the confident set P_c the critic learns from.

tau* in {0.8, 0.9, 0.95, 0.99} (or --tau-stars), crossed with --datasets and --seeds. The
classifier does not depend on tau*, so the study trains one classifier per dataset and seed.

    python studies/ablation_tau_star.py --dry-run                     # show the grid, run nothing
    python studies/ablation_tau_star.py --preset smoke --datasets digits --seeds 2
    python studies/ablation_tau_star.py --preset smoke --datasets digits --seeds 2 --resume

Results: STORAGE/NAME/results (default ./runs/ablation_tau_star); tables with
`gwin tables runs/ablation_tau_star`. `--help` lists all flags.
"""

import sys

from gwin.tune import AxisFlag, study_main

TAU_STARS = [0.8, 0.9, 0.95, 0.99]


def main(argv: list[str] | None = None) -> int:
    return study_main(
        "ablation_tau_star",
        {"tau_star": TAU_STARS},
        description=__doc__,
        axis_flags=[AxisFlag("--tau-stars", "tau_star", "tau* values")],
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
