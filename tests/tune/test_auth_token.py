"""The Ray auth token a study's local Ray uses is readable by its owner alone: created 0600 (in a
0700 ~/.ray) before Ray would create it world-readable, and an existing one is tightened."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What `ray.init()` does for a new local cluster, after the driver set up its environment:
# create ~/.ray/auth_token if there is none (Ray 2.60 writes it with the umask's mode, 0644).
SCRIPT = """
import os
os.umask(0o022)
from gwin.tune.ray_session import local_ray_env
local_ray_env()
from ray._private.authentication.authentication_token_setup import ensure_token_if_auth_enabled
ensure_token_if_auth_enabled(None, create_token_if_missing=True)
"""


def _start_local_ray_env(home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    env["HOME"] = str(home)  # conftest's fixed RAY_AUTH_TOKEN is gone: Ray uses ~/.ray
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_token_a_local_ray_uses_is_created_readable_by_its_owner_only(tmp_path):
    run = _start_local_ray_env(tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    token = tmp_path / ".ray" / "auth_token"
    assert _mode(token) == 0o600 and _mode(token.parent) == 0o700
    assert len(token.read_text().strip()) == 64  # 256 bits in hex, as Ray's own
    assert [p.name for p in token.parent.iterdir()] == ["auth_token"]  # no temporary left


def test_an_existing_world_readable_token_is_tightened_and_kept(tmp_path):
    token = tmp_path / ".ray" / "auth_token"
    token.parent.mkdir()
    token.write_text("a" * 64)
    token.chmod(0o644)
    run = _start_local_ray_env(tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert _mode(token) == 0o600 and token.read_text() == "a" * 64
    assert "readable by others" in run.stderr
