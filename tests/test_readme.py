"""The README stays true: every command block names the test or CI step that runs it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*) -->\n)?```bash\n(?P<body>.*?)```", re.S)


def blocks():
    return list(BLOCK.finditer((ROOT / "README.md").read_text()))


def test_every_command_block_is_marked_with_what_runs_it():
    for match in blocks():
        marker = match["marker"] or ""
        assert marker.startswith(("ci: ", "tested: ")), f"unmarked block: {match['body']!r}"
        if marker.startswith("tested: "):
            paths = [w for w in marker[8:].split() if w.startswith("tests/")]
            assert paths, marker
            for path in paths:
                assert (ROOT / path).exists(), path


def test_the_two_newcomer_commands_are_what_ci_runs():
    markers = [m["marker"] for m in blocks() if (m["marker"] or "").startswith("ci: ")]
    assert markers == ["ci: quickstart", "ci: tests"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_block quickstart" in ci and "readme_block tests" in ci


def test_the_quickstart_runs_the_digits_smoke_study_and_its_table():
    quickstart = next(m["body"] for m in blocks() if m["marker"] == "ci: quickstart")
    assert "pip install torch==2.13.0" in quickstart
    assert "studies/ablation_lambda.py --preset smoke --datasets digits" in quickstart
    assert "analysis/tables.py runs/ablation_lambda" in quickstart
