"""A real `ray up` of cluster/onprem.yaml: Ray's local node provider over SSH, against an sshd on
127.0.0.1 that this module starts, as cluster/README.md's steps 1 and 3-6 and 10 run it.

The "lab server" is this machine, reached as a throwaway user (`gwin-launch`, created and removed
here) through an sshd of our own on 127.0.0.1:22 (Ray's launcher has no SSH port setting). The
YAML is filled in as a user would (head 127.0.0.1, no workers, the user, the key, the results
folder) and nothing else in it changes: `ray up` runs its own file mounts, setup commands and
head start command. Two things are set up on the node first, as a lab's admin would have them:
- the node's shell keeps Ray on loopback and away from cloud-metadata probes, and gives it a
  private temp dir (`RAY_TMPDIR`, so it shares no /tmp/ray with Ray on this machine);
- the node's venv already has PyTorch (the CPU build): the YAML installs the CUDA build only
  where `import torch` fails, from an index this machine cannot reach.
Then a smoke study goes in through `ray dashboard`'s SSH tunnel with `ray job submit`, its result
is read from the results folder, and `ray down` must leave no process of the node user behind.

Needs root, `sshd` and `rsync` (Debian: openssh-server, rsync; .ci/run installs them), and
127.0.0.1's SSH and Ray head ports free: another Ray on this machine would hold them.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from gwin.store.reader import read_table
from tests.sockets import listening_hosts

ROOT = Path(__file__).resolve().parents[2]
RAY = str(Path(sys.executable).with_name("ray"))
USER = "gwin-launch"
CLUSTER = "gwin-onprem"  # cluster_name in onprem.yaml
# sshd, then the head's GCS, dashboard, dashboard agent and Ray client server (Ray's defaults)
PORTS = (22, 6379, 8265, 52365, 10001)
NEEDS = ("/usr/sbin/sshd", "rsync", "useradd", "userdel")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]

# Put before the node user's ~/.bashrc, which Ray's launcher sources on every command.
NODE_ENV = """\
# gwin test: Ray on loopback, no cloud-metadata probes (plain http to a closed port), own temp dir
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 RAY_TMPDIR="$HOME/t"
export HTTP_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
"""

SSHD_CONFIG = """\
ListenAddress 127.0.0.1
Port 22
HostKey {base}/sshd/host_key
PidFile {base}/sshd/sshd.pid
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers {user}
AllowTcpForwarding local
X11Forwarding no
"""


def _unmet() -> str | None:
    if os.geteuid() != 0:
        return "needs root (creates a user and runs sshd)"
    missing = [n for n in NEEDS if shutil.which(n) is None and not Path(n).exists()]
    if missing:
        return f"needs {', '.join(missing)}: apt-get install openssh-server rsync"
    busy = []
    for port in PORTS:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(port)
    if busy:
        return f"127.0.0.1 ports {busy} are in use (another sshd or Ray here?): stop them first"
    return None


def _run(argv, *, env, timeout, cwd=ROOT, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        tail = (done.stdout + done.stderr)[-3000:]
        pytest.fail(f"{' '.join(map(str, argv[:3]))} exited {done.returncode}:\n{tail}")
    return done


def _as_node(command: str, timeout: int = 600) -> None:
    subprocess.run(["su", "-", USER, "-c", command], check=True, timeout=timeout)


def _node_pids() -> set[int]:
    uid = pwd.getpwnam(USER).pw_uid
    return {int(p) for p in os.listdir("/proc") if p.isdigit() and _owner(int(p)) == uid}


def _owner(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _remove_user() -> None:
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return
    subprocess.run(["pkill", "-KILL", "-u", USER], check=False)
    time.sleep(0.5)
    subprocess.run(["userdel", "--remove", USER], check=False, capture_output=True)
    try:
        grp.getgrnam(USER)
        subprocess.run(["groupdel", USER], check=False, capture_output=True)
    except KeyError:
        pass


@pytest.fixture(scope="module")
def lab():
    """(base folder, the local user's environment, the filled-in cluster YAML); sshd running."""
    if (why := _unmet()) is not None:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    _remove_user()  # a leftover of a killed run
    base = Path(tempfile.mkdtemp(prefix="gwin-launch-", dir="/tmp"))
    base.chmod(0o755)  # the node user's home is inside
    home, local = base / "home", base / "local"
    sshd = None
    try:
        subprocess.run(["useradd", "--home-dir", str(home), "--create-home", "--shell",
                        "/bin/bash", USER], check=True)  # fmt: skip
        subprocess.run(["usermod", "-p", "*", USER], check=True)  # no password, not locked
        for sub in ("local/.ssh", "local/.ray", "local/t", "sshd", "nfs"):
            (base / sub).mkdir(parents=True)
        local.chmod(0o700)
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
        subprocess.run([*keygen, "-f", str(local / ".ssh/id_ed25519")], check=True)
        subprocess.run([*keygen, "-f", str(base / "sshd/host_key")], check=True)
        shutil.chown(base / "nfs", USER, USER)
        pub = (local / ".ssh/id_ed25519.pub").read_text()
        _as_node(
            "umask 077 && mkdir -p ~/.ssh ~/t && "
            f"echo '{pub.strip()}' > ~/.ssh/authorized_keys && "
            f"printf %s '{NODE_ENV}' | cat - ~/.bashrc > ~/.b && mv ~/.b ~/.bashrc"
        )
        # what the lab already has: PyTorch in the node's venv (the YAML's path and name)
        _as_node(
            "python3 -m venv ~/gwin-cluster/venv-$(hostname -s) && "
            "~/gwin-cluster/venv-$(hostname -s)/bin/pip install -q torch==2.13.0"
        )
        config = base / "sshd/sshd_config"
        config.write_text(SSHD_CONFIG.format(base=base, user=USER))
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation dir
        sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", str(config), "-E",
                                 str(base / "sshd/log")])  # fmt: skip

        text = (ROOT / "cluster/onprem.yaml").read_text()
        text = text.replace("/REPLACE_WITH_NFS_RESULTS_DIR", str(base / "nfs"))
        cluster = yaml.safe_load(text)
        cluster["provider"].update(head_ip="127.0.0.1", worker_ips=[])
        # ssh expands ~ from the passwd entry, not $HOME: the key's absolute path
        cluster["auth"].update(ssh_user=USER, ssh_private_key=str(local / ".ssh/id_ed25519"))
        filled = base / "my-cluster.yaml"
        filled.write_text(yaml.safe_dump(cluster, sort_keys=False))

        env = {
            **os.environ,
            "HOME": str(local),  # the token and the key; never the tester's own ~/.ray
            "RAY_TMPDIR": str(local / "t"),  # the launcher's cluster state file
            "TMPDIR": str(local / "t"),  # and its cached copy of the YAML
            "RAY_AUTH_MODE": "token",
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            "PYTHONPATH": "",
        }
        for name in ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):  # the tests' own
            env.pop(name, None)
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", 22)) == 0:
                    break
            time.sleep(0.1)
        yield base, env, filled
    finally:
        if sshd is not None:
            sshd.terminate()
            sshd.wait(timeout=30)
        _remove_user()
        user_hash = hashlib.sha256(os.environ.get("USER", "root").encode()).hexdigest()[:10]
        cluster_hash = hashlib.sha256(CLUSTER.encode()).hexdigest()[:10]
        shutil.rmtree(f"/tmp/ray_ssh_{user_hash}/{cluster_hash}", ignore_errors=True)
        with contextlib.suppress(OSError):
            os.rmdir(f"/tmp/ray_ssh_{user_hash}")  # when no other cluster's sockets are in it
        shutil.rmtree(f"/tmp/torchinductor_{USER}", ignore_errors=True)  # the trial's torch cache
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ray_up_submit_a_study_and_ray_down(lab):
    base, env, cluster = lab
    nfs = base / "nfs"
    # cluster/README.md, steps 1 and 3
    _run([RAY, "get-auth-token", "--generate"], env=env, timeout=60)
    (base / "local/.ray/auth_token").chmod(0o600)
    _run([sys.executable, "-m", "gwin.tune.cluster_config", "--require-filled", str(cluster)],
         env=env, timeout=60)  # fmt: skip

    # step 4: ray up, and the tunnel to the dashboard (8265 is the head's own port here)
    up = _run([RAY, "up", str(cluster), "--yes", "--disable-usage-stats"], env=env, timeout=1200)
    assert "up-to-date" in up.stdout + up.stderr
    head = _node_pids()
    assert any("gcs_server" in _cmdline(p) for p in head), "no Ray head runs as the node user"
    assert listening_hosts(head) <= {"127.0.0.1", "::1"}, "the head listens off loopback"
    port = _free_port()
    tunnel = subprocess.Popen([RAY, "dashboard", "--port", str(port), str(cluster)], cwd=ROOT,
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        # step 5: a smoke study, submitted through the tunnel; --no-wait, then status (step 6)
        jobs = {**env, "RAY_API_SERVER_ADDRESS": f"http://127.0.0.1:{port}"}
        study = ["python", "studies/ablation_lambda.py", "--address", "auto", "--storage",
                 str(nfs), "--preset", "smoke", "--datasets", "digits", "--seeds", "1",
                 "--lambdas", "10", "--iterations", "6", "--eval-every", "3"]  # fmt: skip
        submit = [RAY, "job", "submit", "--submission-id", "launch-1", "--no-wait",
                  "--working-dir", ".", "--", *study]  # fmt: skip
        deadline = time.time() + 120
        while True:  # the tunnel and the head's job agent take a moment after `ray up`
            done = _run(submit, env=jobs, timeout=300, check=False)
            if done.returncode == 0 or time.time() > deadline:
                break
            time.sleep(3)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        status = ""
        for _ in range(300):
            done = _run([RAY, "job", "status", "launch-1"], env=jobs, timeout=60)
            status = (done.stdout + done.stderr).lower()  # "Job 'launch-1' succeeded"
            if any(f"' {s}" in status for s in ("succeeded", "failed", "stopped")):
                break
            time.sleep(2)
        logs = _run([RAY, "job", "logs", "launch-1"], env=jobs, timeout=60).stdout
        assert "' succeeded" in status, logs[-3000:]
        assert "1 trials ok, 0 failed" in logs
        exec_status = _run([RAY, "exec", str(cluster), "ray status"], env=env, timeout=120)
        text = re.sub(r"\x1b\[[0-9;]*m", "", exec_status.stdout)  # without its colours
        # the head is the one node, busy or (after the job) idle
        assert re.search(r"(Active|Idle):\s*\n\s*1 (node_|local\.cluster\.node)", text), text
    finally:
        os.killpg(tunnel.pid, signal.SIGTERM)  # `ray dashboard` and its ssh -L child
        tunnel.wait(timeout=30)

    # the trial ran on the node, as its user, into the results folder
    trials = read_table(nfs / "ablation_lambda", "trials")
    assert list(trials["status"]) == ["ok"] and list(trials["lambda_loss"]) == [10.0]
    assert list(trials["iterations"]) == [6] and list(trials["dataset"]) == ["digits"]
    assert abs(float(trials["val_overall_acc_delta"].iloc[0])) <= 100.0
    written = next((nfs / "ablation_lambda/results").glob("trials.parquet"))
    assert written.stat().st_uid == pwd.getpwnam(USER).pw_uid

    # step 10: ray down stops every Ray process it started
    _run([RAY, "down", str(cluster), "--yes"], env=env, timeout=300)
    left: set[int] = set()
    for _ in range(60):  # ssh's ControlPersist keeps the node's sshd session for 10 s
        left = {p for p in _node_pids() if "ray" in _cmdline(p) or "python" in _cmdline(p)}
        if not left:
            break
        time.sleep(1)
    assert not left, [_cmdline(p) for p in left]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
