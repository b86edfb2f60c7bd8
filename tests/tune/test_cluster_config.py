"""The cluster YAMLs pass Ray's own validation and keep the security defaults they promise."""

import ast
import re
import sys
import types
from pathlib import Path

import pytest

from gwin.errors import GwinError
from gwin.tune.cluster_config import PLACEHOLDER, main, security_problems, validate_cluster_yaml

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "cluster"
YAMLS = sorted(CLUSTER.glob("*.yaml"))


def _filled(text: str) -> str:
    """The template with every REPLACE_WITH_X placeholder replaced by a plausible value."""
    return PLACEHOLDER.sub(lambda m: m.group(0).lower().replace("_", "-"), text)


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_three_presets_exist():
    assert {p.name for p in YAMLS} >= {"aws-gpu.yaml", "gcp-gpu.yaml", "onprem.yaml"}


@pytest.mark.parametrize("path", YAMLS, ids=lambda p: p.name)
def test_every_yaml_passes_ray_validation_and_security_rules(path):
    prepared = validate_cluster_yaml(path)
    assert prepared["head_node_type"] in prepared["available_node_types"]
    assert "cluster_synced_files" in prepared  # filled in by Ray's prepare_config


@pytest.mark.parametrize("path", YAMLS, ids=lambda p: p.name)
def test_templates_still_have_placeholders_and_pass_once_filled(path, tmp_path):
    with pytest.raises(GwinError, match="placeholders left to fill in: REPLACE_"):
        validate_cluster_yaml(path, require_filled=True)
    filled = _write(tmp_path, _filled(path.read_text()), path.name)
    validate_cluster_yaml(filled, require_filled=True)


@pytest.mark.parametrize("name", ["aws-gpu.yaml", "gcp-gpu.yaml"])
def test_cloud_presets_have_a_cpu_only_head_and_single_gpu_workers(name):
    cfg = validate_cluster_yaml(CLUSTER / name)
    types_ = cfg["available_node_types"]
    head = types_[cfg["head_node_type"]]
    assert head["resources"] == {"CPU": 0}  # trials never land on the head
    workers = [t for n, t in types_.items() if n != cfg["head_node_type"]]
    assert len(workers) == 1 and workers[0]["min_workers"] == 0  # autoscaling from zero
    node = workers[0]["node_config"]
    if name == "aws-gpu.yaml":
        # single-GPU instance types (Ray reads GPUs from the type): g5/g4dn .xlarge-.8xlarge
        assert re.fullmatch(r"g(5|4dn)\.(|2|4|8)xlarge", node["InstanceType"])
    else:
        assert workers[0]["resources"]["GPU"] == 1
        assert node["guestAccelerators"][0]["acceleratorCount"] == 1
    assert cfg["docker"]["image"].startswith("rayproject/ray:") and "gpu" in cfg["docker"]["image"]


def test_onprem_uses_the_local_provider_with_every_worker_started():
    cfg = validate_cluster_yaml(CLUSTER / "onprem.yaml")
    assert cfg["provider"]["type"] == "local"
    (node_type,) = cfg["available_node_types"].values()
    assert node_type["min_workers"] == len(cfg["provider"]["worker_ips"]) == 2


@pytest.mark.parametrize("path", YAMLS, ids=lambda p: p.name)
def test_every_node_installs_the_project_with_the_cluster_extra(path):
    cfg = validate_cluster_yaml(path)
    setup = " ".join(cfg["setup_commands"])
    assert 'pip install --quiet ".[cluster]"' in setup
    assert "download.pytorch.org/whl/cu" in setup  # a CUDA PyTorch
    assert "." in cfg["file_mounts"].values()  # the working copy goes to every node


# --- the security rules reject what they promise to reject -------------------------------------

BASE = (CLUSTER / "aws-gpu.yaml").read_text()


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("--dashboard-host=127.0.0.1", "--dashboard-host=0.0.0.0", "all interfaces"),
        ("--dashboard-host=127.0.0.1 ", "", "--dashboard-host=127.0.0.1"),
        (
            "=token RAY_worker_niceness=0;\n    ulimit -n 65536;\n    ray start --addr",
            "=none RAY_worker_niceness=0;\n    ray start --addr",
            "worker_start_ray_commands.*RAY_AUTH_MODE=token",
        ),
        (
            "RAY_AUTH_MODE=token RAY_worker_niceness=0;\n    ulimit -n 65536;\n    ray start",
            "RAY_AUTH_MODE=token;\n    ray start",
            "head_start_ray_commands.*RAY_worker_niceness=0",
        ),
        ('  "~/.ray/auth_token": "~/.ray/auth_token"\n', "", "auth token"),
        ("cluster_name: gwin-aws", "cluster_name: gwin-aws\n# RAY_AUTH_MODE=disabled", "disabled"),
        (
            "Name: REPLACE_WITH_WORKER_INSTANCE_PROFILE_NAME",
            "Arn: arn:aws:iam::123456789012:instance-profile/x",
            "account id",
        ),
        ("ssh_user: ubuntu", "ssh_user: ubuntu\n# key: AKIAABCDEFGHIJKLMNOP", "access key"),
        (
            "ssh_user: ubuntu",
            "ssh_user: ubuntu\n# -----BEGIN OPENSSH PRIVATE KEY-----",
            "private key",
        ),
        (
            "cluster_name: gwin-aws",
            "cluster_name: gwin-aws\n# RAY_AUTH_TOKEN=abc123",
            "Ray auth token",
        ),
    ],
)
def test_security_rules_reject_unsafe_changes(tmp_path, old, new, message):
    assert old in BASE
    path = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(GwinError, match=message):
        validate_cluster_yaml(path)


def test_security_problems_is_empty_for_a_minimal_safe_config():
    cfg = {
        "head_start_ray_commands": [
            "RAY_AUTH_MODE=token RAY_worker_niceness=0 ray start --head --dashboard-host 127.0.0.1"
        ],
        "worker_start_ray_commands": [
            "RAY_AUTH_MODE=token RAY_worker_niceness=0 ray start --address=$RAY_HEAD_IP:6379"
        ],
        "file_mounts": {"/home/u/.ray/auth_token": "~/.ray/auth_token"},
    }
    assert security_problems(cfg, "ami-0a2363a9cff180a64 port 6379") == []


def test_ray_schema_errors_become_one_line_gwin_errors(tmp_path):
    path = _write(tmp_path, BASE.replace("max_workers: 4\n", "max_workers: four\n", 1))
    with pytest.raises(GwinError, match=r"Ray rejects this cluster config: 'four' is not"):
        validate_cluster_yaml(path)
    path = _write(tmp_path, BASE + "\nno_such_key: 1\n")
    with pytest.raises(GwinError, match="Ray rejects"):
        validate_cluster_yaml(path)


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(GwinError, match="does not exist"):
        validate_cluster_yaml(tmp_path / "nope.yaml")
    with pytest.raises(GwinError, match="not a YAML mapping"):
        validate_cluster_yaml(_write(tmp_path, "- a\n- b\n"))


def test_a_moved_ray_validator_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray.autoscaler._private.util", types.ModuleType("moved"))
    with pytest.raises(GwinError, match="no longer has ray.autoscaler._private.util"):
        validate_cluster_yaml(YAMLS[0])


def test_cli(tmp_path, capsys):
    assert main([str(p) for p in YAMLS]) == 0
    assert capsys.readouterr().out.count("ok: ") == len(YAMLS)
    assert main(["--require-filled", str(CLUSTER / "aws-gpu.yaml")]) == 1
    assert "REPLACE_WITH_DLAMI" in capsys.readouterr().err


# --- security defaults outside the YAMLs ---------------------------------------------------------


def _torch_load_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "torch.load":
            yield node


def test_every_torch_load_uses_weights_only():
    """Checkpoints may come from shared storage: never unpickle arbitrary objects from them."""
    files = [p for d in ("gwin", "studies", "analysis") for p in (ROOT / d).rglob("*.py")]
    calls = [(p, c) for p in files for c in _torch_load_calls(p)]
    unsafe = [
        f"{p.relative_to(ROOT)}:{c.lineno}"
        for p, c in calls
        if not any(k.arg == "weights_only" and ast.unparse(k.value) == "True" for k in c.keywords)
    ]
    assert unsafe == []


# --- the README's commands are tested or marked ------------------------------------------------

MARKER = re.compile(
    r"<!-- (tested: (?P<tests>[^>]+?)|needs: (?P<needs>[^>]+?)) -->\s*\n```(?:bash|sh)"
)


def test_every_readme_command_block_is_tested_or_marked():
    text = (CLUSTER / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)\n", text)
    marked = list(MARKER.finditer(text))
    assert blocks and len(marked) == len(blocks), "every ```bash block needs a marker comment"
    for m in marked:
        for test in (m.group("tests") or "").split(","):
            if test.strip():
                assert (ROOT / test.strip().split("::")[0]).is_file(), test
