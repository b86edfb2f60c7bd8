"""docs/design.md section 8 as a test: each layer of gwin imports only the layers before it."""

import ast
from pathlib import Path

GWIN = Path(__file__).resolve().parents[1] / "gwin"

# docs/design.md, section 8, in order; a module belongs to the longest prefix that names it.
LAYERS = {
    # gwin.method.rejection (the rule r(c, y') and the taus, no torch) is named here, not under
    # gwin.method below: gwin.config and gwin.metrics read it, and the longest prefix wins.
    "settings and references": ["gwin.errors", "gwin.names", "gwin.method.rejection",
                                "gwin.presets", "gwin.paper", "gwin.config_checks", "gwin.config",
                                "gwin.config_flags", "gwin.config_file", "gwin.progress"],
    "data and models": ["gwin.data", "gwin.corruptions", "gwin.layers", "gwin.models"],
    "metrics": ["gwin.metrics"],
    "storage": ["gwin.store"],
    # gwin/method/ and the one root module it needs (the device and the Monte Carlo chunk size)
    "the method": ["gwin.device", "gwin.method"],
    # the plumbing beside it, which runs, caches, saves and reuses the method: never imported
    # back by gwin/method/
    "running the method": ["gwin.faults", "gwin.cache", "gwin.cached_stages", "gwin.tracking",
                           "gwin.trial", "gwin.images", "gwin.model_folder", "gwin.model",
                           "gwin.apply", "gwin.fidelity"],
    "orchestration": ["gwin.tune"],
    "studies": ["gwin.studies"],
    "reporting": ["gwin.report", "gwin.analysis", "gwin.study"],
    "entry points": ["gwin.cli", "gwin.trial_folder", "gwin.console", "gwin.__main__"],
}  # fmt: skip


def layer_of(module: str) -> int | None:
    found = [
        (len(prefix), rank)
        for rank, prefixes in enumerate(LAYERS.values())
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(found)[1] if found else None


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(GWIN.rglob("*.py")):
        parts = path.relative_to(GWIN.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != "gwin":  # the package's facade (`gwin.load`) may reach any layer
            out.append((name, path))
    return out


def gwin_imports(path: Path) -> list[tuple[str, int]]:
    """Every gwin module `path` imports, deferred imports inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gwin."):
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("gwin.")]
    return found


def test_every_module_has_a_layer():
    assert [name for name, _ in modules() if layer_of(name) is None] == []


def test_no_module_imports_a_later_layer():
    names = list(LAYERS)
    upward = [
        f"{name} ({names[layer_of(name)]}) imports {target} ({names[layer_of(target)]}), "
        f"line {line}"
        for name, path in modules()
        for target, line in gwin_imports(path)
        if layer_of(target) is not None and layer_of(target) > layer_of(name)
    ]
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from gwin.tune.runner import study_main\n")
    assert gwin_imports(bad) == [("gwin.tune.runner", 2)]
    assert layer_of("gwin.tune.runner") > layer_of("gwin.trial")
