"""A real single-node Ray head on 127.0.0.1, the way cluster/README.md's manual start runs one.

`ray start --head` with token authentication and the dashboard (job server) on loopback; a
`smoke` study connects to it with `--address`, and is submitted again with `ray job submit`. The
head is stopped by killing exactly the processes it started (found by its private temp dir and
their descendants): a bare `ray stop` would also kill other people's Ray on a shared machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sockets import listening_hosts

ROOT = Path(__file__).resolve().parents[2]
RAY = str(Path(sys.executable).with_name("ray"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


# --- the processes of one head -------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, state, cmdline) for every live process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # the command name in stat is in parentheses and may contain spaces
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        table[int(entry)] = (int(ppid), state, cmdline)
    return table


def head_pids(marker: str) -> set[int]:
    """Live processes whose command line names `marker` (the head's temp dir), with descendants.

    Workers rename themselves (`ray::IDLE`), so they are found as descendants of the raylet.
    """
    table = {pid: row for pid, row in _proc_table().items() if row[1] != "Z"}
    found = {pid for pid, (_, _, cmd) in table.items() if marker in cmd}
    grew = True
    while grew:
        children = {pid for pid, (ppid, _, _) in table.items() if ppid in found} - found
        found |= children
        grew = bool(children)
    found.discard(os.getpid())
    return found


def stop_head(marker: str, timeout: float = 30.0) -> set[int]:
    """SIGTERM, then SIGKILL, exactly the processes of the head at `marker`; returns survivors."""
    deadline = time.monotonic() + timeout
    sig = signal.SIGTERM
    while (pids := head_pids(marker)) and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        time.sleep(1.0)
        if time.monotonic() > deadline - timeout / 2:
            sig = signal.SIGKILL  # second half of the budget: no more patience
    return head_pids(marker)


# --- the head ------------------------------------------------------------------------------------


def _free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _job_server_available() -> bool:
    """The job server is part of the dashboard, which needs ray[default] (the `cluster` extra)."""
    if importlib.util.find_spec("aiohttp") is None:
        return False
    try:
        import ray.dashboard.optional_deps  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Head:
    address: str  # GCS address for --address
    dashboard: str | None  # job server URL, None without ray[default]
    env: dict[str, str]  # what a client of this head needs (token auth, loopback)
    tmp: Path
    token: str


@pytest.fixture(scope="module")
def head():
    # Unix socket paths must stay under 108 characters: a short dir directly in /tmp.
    tmp = Path(tempfile.mkdtemp(prefix="rayg", dir="/tmp"))
    (tmp / "home").mkdir()
    env = dict(
        os.environ,
        HOME=str(tmp / "home"),  # the token and anything else of Ray's stay out of the real ~/.ray
        RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",  # drivers use 127.0.0.1 too
        RAY_AUTH_MODE="token",
        RAY_worker_niceness="0",  # as cluster/README.md starts a head
        RAY_USAGE_STATS_ENABLED="0",
    )
    for name in ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        env.pop(name, None)
    dashboard = _job_server_available()
    gcs, dash, client, agent, agent_grpc, rt_env, metrics = _free_ports(7)
    cmd = [
        RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={gcs}",
        f"--temp-dir={tmp}", "--num-cpus=2", "--num-gpus=0",
        "--object-store-memory=200000000", "--disable-usage-stats",
        f"--include-dashboard={str(dashboard).lower()}", "--dashboard-host=127.0.0.1",
        f"--dashboard-port={dash}", f"--ray-client-server-port={client}",
        f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={agent_grpc}",
        f"--runtime-env-agent-port={rt_env}", f"--metrics-export-port={metrics}",
    ]  # fmt: skip
    try:
        # README: `ray get-auth-token --generate` once, then every node starts with the token.
        generated = subprocess.run(
            [RAY, "get-auth-token", "--generate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert generated.returncode == 0, generated.stderr[-2000:]
        token_file = tmp / "home" / ".ray" / "auth_token"
        token_file.chmod(0o600)
        token = token_file.read_text().strip()
        assert token and generated.stdout.strip() == token
        started = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        url = f"http://127.0.0.1:{dash}" if dashboard else None
        yield Head(f"127.0.0.1:{gcs}", url, env, tmp, token)
    finally:
        survivors = stop_head(str(tmp))
        shutil.rmtree(tmp, ignore_errors=True)
    assert survivors == set(), f"processes of the test head still alive: {sorted(survivors)}"


def test_head_listens_only_on_loopback(head):
    pids = head_pids(str(head.tmp))
    assert pids, "the head started no processes"
    hosts = listening_hosts(pids)
    assert hosts and hosts <= {"127.0.0.1", "::1"}, hosts


def test_stop_head_finds_nothing_for_an_unknown_marker():
    assert head_pids("/tmp/no-such-ray-head-dir-xyz") == set()


def _needs_job_server(head: Head) -> None:
    if head.dashboard is None:
        pytest.skip("the job server needs ray[default]: pip install -e '.[cluster]'")


def test_job_server_rejects_requests_without_the_token(head):
    _needs_job_server(head)
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(f"{head.dashboard}/api/jobs/", timeout=30)
    assert denied.value.code == 401
    request = urllib.request.Request(
        f"{head.dashboard}/api/jobs/", headers={"Authorization": f"Bearer {head.token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as ok:
        assert ok.status == 200


# --- a study on the head -------------------------------------------------------------------------

# One quick smoke trial: digits, one lambda, one seed, a few iterations.
STUDY = [
    "studies/ablation_lambda.py", "--preset", "smoke", "--datasets", "digits", "--seeds", "1",
    "--lambdas", "10", "--iterations", "6", "--eval-every", "3", "--checkpoint-every", "3",
    "--cpus-per-trial", "1", "--no-progress",
]  # fmt: skip


def _run(cmd: list[str], head: Head, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=ROOT, env=head.env, capture_output=True, text=True, timeout=timeout
    )


def _trials(location: Path):
    import pandas as pd

    return pd.read_parquet(location / "results" / "trials.parquet")


def test_study_runs_on_the_head_with_address_and_resumes(head, tmp_path):
    storage = tmp_path / "storage"
    cmd = [sys.executable, *STUDY, "--address", head.address, "--storage", str(storage)]
    done = _run(cmd + ["--name", "on_head"], head)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    trials = _trials(storage / "on_head")
    assert len(trials) == 1 and (trials["status"] == "ok").all()
    assert trials["lambda_loss"].tolist() == [10.0] and trials["dataset"].tolist() == ["digits"]

    # README: after an interruption, the same command with --resume; a finished study stays.
    again = _run(cmd + ["--name", "on_head", "--resume"], head)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert _trials(storage / "on_head")["trial_id"].tolist() == trials["trial_id"].tolist()

    # README: the analysis reads the study folder the cluster wrote.
    tables = _run([sys.executable, "analysis/tables.py", str(storage / "on_head")], head, 120)
    assert tables.returncode == 0, tables.stderr[-3000:]
    assert "digits" in tables.stdout


def test_study_submitted_with_ray_job_submit(head, tmp_path):
    _needs_job_server(head)
    storage = tmp_path / "storage"
    job = "gwin-test-job"
    # README section 5: the job server's address in RAY_API_SERVER_ADDRESS (the SSH tunnel's
    # end on a real cluster), the study joining the cluster the job runs on with --address auto.
    client = Head(head.address, head.dashboard, dict(head.env), head.tmp, head.token)
    client.env["RAY_API_SERVER_ADDRESS"] = head.dashboard
    submit = [
        RAY, "job", "submit", "--submission-id", job, "--working-dir", ".", "--",
        "python", *STUDY, "--address", "auto", "--storage", str(storage), "--name", "as_job",
    ]  # fmt: skip
    done = _run(submit, client)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    status = _run([RAY, "job", "status", job], client, timeout=60)
    assert f"Job '{job}' succeeded" in status.stdout
    logs = _run([RAY, "job", "logs", job], client, timeout=60)
    assert "1 trials ok" in logs.stdout
    trials = _trials(storage / "as_job")
    assert len(trials) == 1 and (trials["status"] == "ok").all()
