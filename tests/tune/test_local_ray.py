"""The Ray a study starts on this machine listens on loopback only and uses token auth."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sockets import cmdline, descendants, environ, listening_hosts

pytestmark = pytest.mark.slow
STUDIES = Path(__file__).resolve().parents[2] / "studies"


def test_a_study_started_ray_listens_on_loopback_only_with_token_auth(tiny, tmp_path, warm_cache):
    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}  # the study sets it
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "0", "1", "--seeds", "1",
            "--max-concurrent", "1", "--cache-dir", warm_cache]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, str(STUDIES / "ablation_lambda.py"), *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while True:  # until a trial runs: then the head and a worker are all up
            family = descendants(proc.pid)
            if any("ImplicitFunc" in cmdline(pid) for pid in family):
                break
            assert proc.poll() is None and time.monotonic() < deadline, "no trial started"
            time.sleep(0.5)
        hosts = listening_hosts({proc.pid, *family})
        assert hosts and hosts <= {"127.0.0.1", "::1"}, hosts
        gcs = [pid for pid in family if "gcs_server" in cmdline(pid)]
        assert gcs and environ(gcs[0]).get("RAY_AUTH_MODE") == "token"
        assert proc.wait(timeout=300) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
