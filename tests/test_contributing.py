"""docs/contributing.md stays true: every file and test its checklists name exists."""

import re
from pathlib import Path

from tests.test_readme import defined_and_run

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "contributing.md").read_text()


def test_every_named_file_exists():
    paths = set(re.findall(r"`((?:gwin|tests|studies|docs)/[\w/.-]+\.(?:py|md))`", PAGE))
    assert len(paths) > 20  # the three checklists name their files
    missing = sorted(p for p in paths if "NAME" not in p and not (ROOT / p).exists())
    assert not missing, missing


def test_every_named_test_exists_and_runs_in_ci():
    tests = re.findall(r"`(tests/[\w/.-]+\.py::\w+)`", " ".join(PAGE.split()))
    assert len(tests) == 3
    for node_id in tests:
        assert not (problem := defined_and_run(node_id)), problem


def test_every_named_constant_is_where_the_page_says():
    for name, path in [("CLASSIFIERS", "gwin/names.py"), ("CLASSIFIER_OPTIONS", "gwin/config.py"),
                       ("SWEEP_COLUMNS", "gwin/metrics/sweep.py"),
                       ("GROUPS", "gwin/config_flags.py"),
                       ("HEADLINE", "gwin/store/trials_table.py"),
                       ("SCHEMA_VERSION", "gwin/store/schema.py")]:  # fmt: skip
        assert re.search(rf"^{name}\b", (ROOT / path).read_text(), re.M), (name, path)
