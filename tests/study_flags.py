"""Flags of a tiny study trial (~10 s on one loaded core), shared by the study tests.

tau* = 0.5 keeps P_c non-empty after 2 classifier epochs on 500 images.
"""

TINY = [
    "--preset", "smoke", "--datasets", "digits",
    "--iterations", "6", "--checkpoint-every", "2", "--eval-every", "2", "--eval-size", "50",
    "--clf-epochs", "2", "--clf-batch-size", "16", "--limit-train", "500", "--tau-star", "0.5",
    "--mc-samples", "3", "--corruptions", "rotate", "--n-examples", "2",
]  # fmt: skip
