"""A study on S3 end to end: the driver writes to s3://, is killed (SIGKILL) after its first
trial, resumes to exactly the expected rows, and the analysis scripts read the same URI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from gwin.store.reader import read_table
from tests.study_flags import TINY

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# digits: 300 validation and 300 test inputs; predictions hold val + test + rotated test.
ROWS_PER_TRIAL = 300 + 300 + 300
KEYS = ["trial_id", "split", "corruption", "index"]
GRACE_S = 5  # how long Ray's processes get to exit after their driver is killed
# a finished trial's marker; hidden names are staging folders (gwin.store.trial_outputs)
DONE = re.compile(r"/trial_outputs/([^/.][^/]*)/trials\.parquet$")


@pytest.fixture
def ray_env(s3):
    """The environment of a study subprocess: Ray on loopback with a session folder of its own
    (Ray's unix sockets limit path lengths), token auth, and the fixture's AWS variables; the
    loopback proxy of tests/conftest.py is inherited."""
    ray_tmp = tempfile.mkdtemp(prefix="gws", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env.update(
        RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
        RAY_AUTH_MODE="token",
        RAY_AUTH_TOKEN="gwin-tests-0123456789abcdef0123456789",
        RAY_DEDUP_LOGS="0",
        RAY_TMPDIR=ray_tmp,
        RAY_USAGE_STATS_ENABLED="0",  # ray.init() sets it too (release wheels); be sure
        PYTHONUNBUFFERED="1",
        **s3.env,
    )
    yield env
    shutil.rmtree(ray_tmp, ignore_errors=True)


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, session id, start time) of a live process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited already
        return None
    return int(fields[1]), int(fields[3]), int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()[:120]
    except OSError:
        return "?"


def _started_by(driver: int) -> dict[int, int]:
    """{pid: start time} of the processes the driver started: its descendants, and whatever
    else runs in its session (it is a session leader: start_new_session=True)."""
    pids = (int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit())
    stats = {pid: s for pid in pids if (s := _stat(pid)) is not None}
    found, frontier = {}, {driver}
    while frontier:
        frontier = {pid for pid, s in stats.items() if s[0] in frontier and pid not in found}
        found.update({pid: stats[pid][2] for pid in frontier})
    found.update({pid: s[2] for pid, s in stats.items() if s[1] == driver and pid != driver})
    return found


def _survivors(started: dict[int, int]) -> dict[int, str]:
    return {
        pid: _cmdline(pid)
        for pid, start in started.items()
        if (s := _stat(pid)) is not None and s[2] == start  # the same process, not a reused pid
    }


def _kill(proc: subprocess.Popen) -> tuple[dict[int, int], dict[int, str]]:
    """SIGKILL the driver (no handler, no cleanup of its own) and give the processes it started
    GRACE_S to follow it; returns (all of them, those still running: {pid: command line})."""
    started = _started_by(proc.pid)
    proc.kill()
    proc.wait(timeout=60)
    started.update(_started_by(proc.pid))  # any started meanwhile (the session is the same)
    deadline = time.monotonic() + GRACE_S
    while (left := _survivors(started)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return started, left


def _wait_for_first_trial(s3, prefix: str, proc: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 600
    while True:
        done = [m.group(1) for k in s3.keys(prefix) if (m := DONE.search(k))]
        if done:
            return done[0]
        assert proc.poll() is None, f"the study ended first:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, "timed out waiting for the first trial"
        time.sleep(0.5)


def _run(argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_a_study_on_s3_survives_a_killed_driver_and_is_read_from_its_uri(s3, ray_env, tmp_path):
    storage = s3.fresh_uri("studies")
    location = f"{storage}/ablation_lambda"
    prefix = location.split("/", 3)[3]  # the object keys inside the bucket
    argv = [
        str(ROOT / "studies" / "ablation_lambda.py"),
        *TINY,
        *("--storage", storage, "--lambdas", "0", "1", "--seeds", "1", "--max-concurrent", "1"),
        *("--cache-dir", str(tmp_path / "cache")),  # object stores cannot hold its file locks
    ]
    log = tmp_path / "driver.log"
    t0 = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, *argv],
            cwd=ROOT,
            env=ray_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            first = _wait_for_first_trial(s3, prefix, proc, log)
        finally:
            started, left = _kill(proc)
    print(f"\nfirst trial {first} on S3 after {time.monotonic() - t0:.0f} s, driver killed; "
          f"{len(left)} of its {len(started)} processes still ran {GRACE_S} s later")  # fmt: skip
    before = read_table(f"{location}/trial_outputs/{first}", "trials").iloc[0]

    t1 = time.monotonic()
    resumed = _run([*argv, "--resume"], ray_env, timeout=900)
    (tmp_path / "resume.log").write_text(resumed.stdout + resumed.stderr)
    assert resumed.returncode == 0, (resumed.stdout + resumed.stderr)[-4000:]
    notes = [line for line in resumed.stderr.splitlines() if line.startswith("note: stopped")]
    print(f"resumed in {time.monotonic() - t1:.0f} s: {' '.join(notes)}")
    # Ray's agents outlive a killed driver by about a minute: the next driver stops exactly
    # those (same pid, same start time) and says so; nothing of the killed driver runs on
    if left:
        assert f"note: stopped {len(left)} Ray processes left running" in resumed.stderr, left
    assert not _survivors(started), _survivors(started)
    tables_line = f"tables:  gwin tables {location}"
    assert tables_line in resumed.stdout.splitlines(), resumed.stdout[-2000:]

    trials = read_table(location, "trials")
    assert len(trials) == 2 and trials["trial_id"].is_unique
    assert set(trials["status"]) == {"ok"} and sorted(trials["lambda_loss"]) == [0.0, 1.0]
    assert first in set(trials["trial_id"])
    kept = trials.set_index("trial_id").loc[first]
    assert kept["started_at"] == before["started_at"]  # finished before the kill: not re-run
    preds = read_table(location, "predictions")
    assert len(preds) == 2 * ROWS_PER_TRIAL and not preds.duplicated(KEYS).any()
    assert preds.groupby("trial_id").size().to_dict() == dict.fromkeys(
        trials["trial_id"], ROWS_PER_TRIAL
    )

    env = dict(os.environ)  # the fixture's AWS variables; the scripts start no Ray
    tables = _run(["-m", "gwin", *tables_line.split()[2:]], env, timeout=300)  # as printed
    assert tables.returncode == 0, tables.stderr[-2000:]
    assert "## digits / " in tables.stdout, tables.stdout[:2000]

    report = _run(["analysis/report.py", location], env, timeout=600)
    assert report.returncode == 0, report.stderr[-2000:]
    assert f"{prefix}/report.html" in s3.keys(prefix)
    html = s3.client().get_object(Bucket=s3.bucket, Key=f"{prefix}/report.html")["Body"].read()
    assert b"GWIN study report" in html

    # a trial's saved model, loaded from the study on S3, reproduces its stored predictions
    import gwin
    from gwin.data.datasets import load_dataset
    from gwin.method.trial_eval import stage_seed

    model = gwin.load(location, first)
    test = load_dataset("digits").test
    seed = stage_seed(int(kept["seed"]), "eval:test:none")
    out = model.predict(test.x, seed=seed, labels=test.y, identity=True)
    stored = preds[(preds["trial_id"] == first) & (preds["split"] == "test")]
    stored = stored[stored["corruption"] == "none"].sort_values("index")
    # labels exactly; certainties to float32 rounding: the trial's worker ran with other
    # thread pools than this process (tests/test_model.py checks bit-equality in one process)
    for column in ("bnn_pred", "gwin_pred"):
        assert (out.columns[column] == stored[column].to_numpy()).all(), column
    for column in ("bnn_certainty", "gwin_certainty"):
        np.testing.assert_allclose(out.columns[column], stored[column], rtol=0, atol=1e-5)
