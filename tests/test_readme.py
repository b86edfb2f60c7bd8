"""The README stays true: every command block names the test or CI step that runs it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*) -->\n)?```bash\n(?P<body>.*?)```", re.S)


def blocks():
    return list(BLOCK.finditer((ROOT / "README.md").read_text()))


def named_tests(marker: str) -> list[str]:
    """The `tests/FILE.py::test_name` words of a `tested:` marker."""
    return [w.rstrip(",;") for w in marker.split() if w.startswith("tests/")]


def defined_and_run(node_id: str) -> str:
    """Why `node_id` is not a test that CI runs ("" if it is): its file must exist, define that
    test at top level and not skip it always (`skip`) or on CI's machine (a `skipif` on CUDA:
    CI has no GPU; a skipif on the shared datasets is run, CI has them)."""
    import ast

    path, _, name = node_id.partition("::")
    if not name:
        return f"{node_id} names a file, not a test (write FILE.py::test_name)"
    file = ROOT / path
    if not file.exists():
        return f"{path} does not exist"
    body = ast.parse(file.read_text()).body
    for node in body:  # a module-level pytestmark that skips (CI has no GPU, say)
        if isinstance(node, ast.Assign) and "pytestmark" in ast.unparse(node.targets[0]):
            if _skips_in_ci(ast.unparse(node.value)):
                return f"{path} is skipped: {ast.unparse(node.value)}"
    for node in body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            skipped = [ast.unparse(d) for d in node.decorator_list if _skips_in_ci(ast.unparse(d))]
            return f"{node_id} is skipped: {skipped}" if skipped else ""
    return f"{path} defines no test {name}"


def _skips_in_ci(decorator: str) -> bool:
    return "mark.skip(" in decorator or ("skipif" in decorator and "cuda" in decorator)


def test_every_command_block_is_marked_with_a_test_that_ci_runs():
    for match in blocks():
        marker = match["marker"] or ""
        assert marker.startswith(("ci: ", "tested: ")), f"unmarked block: {match['body']!r}"
        if marker.startswith("tested: "):
            tests = named_tests(marker)
            assert tests, marker
            for node_id in tests:
                assert not (problem := defined_and_run(node_id)), problem


def test_the_marker_check_catches_a_file_a_missing_test_and_a_skipped_one():
    assert "names a file" in defined_and_run("tests/test_readme.py")
    assert "defines no test" in defined_and_run("tests/test_readme.py::test_nothing_here")
    assert not defined_and_run(
        "tests/test_readme.py::test_the_quickstart_runs_the_digits_smoke_study_and_its_table"
    )
    source = (ROOT / "tests/test_cuda_trial.py").read_text()
    cuda = re.findall(r"^def (test\w+)", source, re.M)
    assert "is skipped" in defined_and_run(f"tests/test_cuda_trial.py::{cuda[0]}")  # no GPU in CI


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


def test_the_readme_is_read_in_five_minutes():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 180


DOCS = {"schema.md", "fidelity.md", "performance.md", "reliability.md", "design.md",
        "contributing.md", "api.md"}  # fmt: skip


def test_docs_hold_the_pages_the_readme_points_to_and_links_resolve():
    assert DOCS <= {p.name for p in (ROOT / "docs").glob("*.md")}
    assert not (ROOT / "docs" / "results.md").exists()  # renamed to schema.md: one name
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    broken = [
        f"{page.name}: {target}"
        for page in pages
        for target in re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)(?:#[\w-]*)?\)", page.read_text())
        if not (page.parent / target).exists()
    ]
    assert broken == []
