"""Every classifier C by its `--classifier` name, and the one way to build one."""

from __future__ import annotations

from typing import Any

from gwin.errors import GwinError
from gwin.models.classifiers import BAYESIAN, MCClassifier
from gwin.models.deterministic import DropoutLeNet5, LeNet5Ensemble, SoftmaxLeNet5
from gwin.names import CLASSIFIERS as CLASSIFIER_NAMES
from gwin.names import check_registry

CLASSIFIERS: dict[str, type[MCClassifier]] = {
    **BAYESIAN,
    "lenet5_dropout": DropoutLeNet5,
    "lenet5_ensemble": LeNet5Ensemble,
    "lenet5_softmax": SoftmaxLeNet5,
}
check_registry("CLASSIFIERS", CLASSIFIER_NAMES, CLASSIFIERS)


def build_classifier(name: str, num_classes: int = 10, **kwargs: Any) -> MCClassifier:
    """Build a classifier by name; `kwargs` go to its constructor (e.g. `width`, `p`, `members`)."""
    if name not in CLASSIFIERS:
        raise GwinError(f"unknown classifier {name!r}; choose one of {sorted(CLASSIFIERS)}")
    return CLASSIFIERS[name](num_classes=num_classes, **kwargs)
