"""The studies, one module per study: a search space or grid declared and handed to
gwin.tune (the machinery). `gwin study NAME` and `python studies/NAME.py` run them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

# every module of this package but this one is a study: adding a file adds the study
STUDIES = tuple(sorted(p.stem for p in Path(__file__).parent.glob("*.py") if p.stem != "__init__"))


def summary(name: str) -> str:
    """The first line of a study's docstring, read without importing it (imports pull Ray in)."""
    source = (Path(__file__).parent / f"{name}.py").read_text()
    return (ast.get_docstring(ast.parse(source)) or "").splitlines()[0]


def run(name: str, argv: list[str] | None = None) -> int:
    return importlib.import_module(f"gwin.studies.{name}").main(argv)
