"""No message, help text or docstring in gwin/ tells a user to run `python analysis/<x>.py`:
the installed commands are `gwin tables|plots|report|budget|paper-check`."""

import ast
import re
from pathlib import Path

GWIN = Path(__file__).resolve().parents[2] / "gwin"
SCRIPT = re.compile(r"python3? analysis/\w+\.py")
# Owed by gwin/tune (being edited there now): its study summary line and
# tests/store/test_s3_study.py, which asserts it, change together. Remove the entry with them.
PENDING: set[str] = set()  # files allowed to keep such a hint: none


def _mentions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if SCRIPT.search(node.value)
    ]


def test_no_hint_names_an_analysis_script():
    found = {
        str(path.relative_to(GWIN)): hits
        for path in sorted(GWIN.rglob("*.py"))
        if (hits := _mentions(path))
    }
    assert set(found) <= PENDING, {k: v for k, v in found.items() if k not in PENDING}
    # a pending entry that was fixed must leave the list, so the list cannot hide a new one
    assert set(found) == PENDING, f"fixed, remove from PENDING: {PENDING - set(found)}"
