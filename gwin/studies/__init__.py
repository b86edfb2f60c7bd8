"""The studies, one module per study: a search space or grid declared and handed to
gwin.tune (the machinery). `gwin study NAME` and `python studies/NAME.py` run them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

STUDIES = (
    "ablation_components",
    "ablation_lambda",
    "ablation_tau_star",
    "budget_curve",
    "classifier_variants",
    "reproduce_paper",
    "search_cpu_budget",
    "stronger_bnn",
    "tune_gwin",
)


def summary(name: str) -> str:
    """The first line of a study's docstring, read without importing it (imports pull Ray in)."""
    source = (Path(__file__).parent / f"{name}.py").read_text()
    return (ast.get_docstring(ast.parse(source)) or "").splitlines()[0]


def run(name: str, argv: list[str] | None = None) -> int:
    return importlib.import_module(f"gwin.studies.{name}").main(argv)
