"""The names a config may use (datasets, classifiers, generators, corruptions), torch-free.

Configs, flags and studies validate against these tuples without importing torch; each registry
that builds the things they name checks itself against its tuple when it is imported
(`check_registry`), so adding a classifier, generator, dataset or corruption in one place and
not the other fails at once rather than at a trial's first use.
"""

from __future__ import annotations

from collections.abc import Iterable

DATASETS = ("digits", "mnist", "fashion_mnist")
CLASSIFIERS = ("lenet5", "bcnn", "lenet5_dropout", "lenet5_ensemble", "lenet5_softmax")
GENERATORS = ("dcgan", "residual")
# MNIST-C's order (gwin.corruptions).
CORRUPTIONS = (
    "shot_noise",
    "impulse_noise",
    "glass_blur",
    "motion_blur",
    "shear",
    "scale",
    "rotate",
    "brightness",
    "translate",
    "stripe",
    "fog",
    "dotted_line",
    "zigzag",
)


def check_registry(kind: str, declared: tuple[str, ...], registered: Iterable[str]) -> None:
    """Raise if a registry's names are not exactly the declared ones, in the declared order."""
    found = tuple(registered)
    if found != declared:
        raise RuntimeError(
            f"gwin.names.{kind} {declared} and the {kind.lower()} registry {found} differ; "
            "add or remove the name in both places"
        )
