"""Studies under faults on a local Ray (loopback): retries from checkpoints, errored and
diverging trials, an interrupted driver, a second driver, a killed worker, a full disk."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from gwin.errors import GwinError
from gwin.store.reader import read_table
from tests.tune.test_study import ROWS_PER_TRIAL, STUDIES

pytestmark = pytest.mark.slow


def _failing_trial(tiny, storage, cache, fail_at: int, max_failures: int) -> list[str]:
    """One-trial study argv whose trial raises once at iteration `fail_at`."""
    return [
        *tiny,
        *("--storage", str(storage), "--lambdas", "1", "--seeds", "1", "--cache-dir", cache),
        *("--fail-once-at-iteration", str(fail_at), "--max-failures", str(max_failures)),
    ]


def test_a_trial_that_raises_once_is_retried_from_its_checkpoint(
    local_ray, study, tiny, tmp_path, warm_cache
):
    argv = _failing_trial(tiny, tmp_path, warm_cache, fail_at=4, max_failures=1)
    assert study("ablation_lambda.py", argv) == 0
    trials = read_table(tmp_path / "ablation_lambda", "trials")
    assert list(trials["status"]) == ["ok"]
    assert (tmp_path / "ablation_lambda" / ".fault-injected" / trials["trial_id"][0]).exists()
    assert int(trials["resumed_from_iteration"][0]) == 4  # not restarted from 0


def test_an_errored_trial_is_recorded_and_resume_retries_it(
    local_ray, study, tiny, tmp_path, warm_cache, capsys
):
    folder = tmp_path / "ablation_lambda"
    argv = _failing_trial(tiny, tmp_path, warm_cache, fail_at=2, max_failures=0)
    assert study("ablation_lambda.py", argv) == 1
    trials = read_table(folder, "trials")
    assert list(trials["status"]) == ["error"]
    message = "RuntimeError: test-only injected failure after the checkpoint at 2"
    assert trials["error"][0] == message
    with pytest.raises(GwinError):  # a failed trial is never a result
        read_table(folder, "predictions")
    assert "--resume" in capsys.readouterr().out

    assert study("ablation_lambda.py", [*argv, "--resume"]) == 0
    trials = read_table(folder, "trials")
    assert list(trials["status"]) == ["ok"] and int(trials["resumed_from_iteration"][0]) == 2
    assert len(read_table(folder, "predictions")) == ROWS_PER_TRIAL


def _wait_for(predicate, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, "the study ended before it could be interrupted"
        assert time.monotonic() < deadline, "timed out waiting for the first trial"
        time.sleep(0.5)


def test_an_interrupted_driver_resumes_to_exactly_the_expected_rows(
    local_ray, study, tiny, tmp_path, warm_cache
):
    folder = tmp_path / "ablation_lambda"
    argv = [
        *tiny,
        "--storage",
        str(tmp_path),
        "--lambdas",
        "0",
        "1",
        "--seeds",
        "1",
        "--cache-dir",
        warm_cache,
        "--max-concurrent",
        "1",
    ]
    log = open(tmp_path / "driver.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, str(STUDIES / "ablation_lambda.py"), *argv],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
    )
    try:
        done = lambda: list(folder.glob("trial_outputs/[!.]*/trials.parquet"))  # noqa: E731
        _wait_for(done, 300, proc)
        proc.send_signal(signal.SIGINT)  # Ctrl+C
        assert proc.wait(timeout=180) == 130, Path(log.name).read_text()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    finished = {p.parent.name for p in done()}
    assert len(finished) == 1
    before = read_table(folder, "trials").set_index("trial_id")

    assert study("ablation_lambda.py", [*argv, "--resume"]) == 0
    trials = read_table(folder, "trials").set_index("trial_id")
    assert len(trials) == 2 and set(trials["status"]) == {"ok"}
    assert sorted(trials["lambda_loss"]) == [0.0, 1.0]
    assert len(read_table(folder, "predictions")) == 2 * ROWS_PER_TRIAL
    for tid in finished:  # finished before the interruption: kept, not re-run
        assert trials.loc[tid, "started_at"] == before.loc[tid, "started_at"]


def test_a_diverging_trial_fails_once_with_its_reason_and_the_others_finish(
    local_ray, study, tiny, tmp_path, warm_cache, capsys
):
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "0", "1", "--seeds", "1",
            "--cache-dir", warm_cache, "--poison-generator", "lambda_loss=1.0@3"]  # fmt: skip
    assert study("ablation_lambda.py", argv) == 1  # some trials failed
    out = capsys.readouterr().out
    assert "1 trials ok, 1 failed" in out and "stopped early" not in out
    trials = read_table(tmp_path / "ablation_lambda", "trials").set_index("lambda_loss")
    assert trials.loc[0.0, "status"] == "ok"
    assert trials.loc[1.0, "status"] == "error"
    assert trials.loc[1.0, "error"].startswith("TrialDiverged: critic loss is NaN at iteration 4")
    # a result, not a crash: Tune did not retry it from a checkpoint (it would diverge again)
    assert "errored" not in out.lower()
    from gwin.analysis.report import build_report

    assert "critic loss is NaN at iteration 4" in build_report(str(tmp_path / "ablation_lambda"))


def test_a_second_driver_on_a_running_study_is_refused_in_one_line(
    local_ray, study, tiny, tmp_path, warm_cache, capsys
):
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "0", "1", "--seeds", "1",
            "--cache-dir", warm_cache, "--max-concurrent", "1"]  # fmt: skip
    first = subprocess.Popen(
        [sys.executable, str(STUDIES / "ablation_lambda.py"), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    try:
        _wait_for(lambda: (tmp_path / "ablation_lambda" / ".driver.json").exists(), 120, first)
        for second in (argv, [*argv, "--resume"]):
            assert study("ablation_lambda.py", second) == 2
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and f"being run by another driver (pid {first.pid} on" in err[0]
        assert first.wait(timeout=300) == 0  # the first driver was not disturbed
    finally:
        if first.poll() is None:
            first.kill()
    trials = read_table(tmp_path / "ablation_lambda", "trials")
    assert len(trials) == 2 and set(trials["status"]) == {"ok"}
    assert not (tmp_path / "ablation_lambda" / ".driver.json").exists()  # released at the end


def test_a_killed_trial_worker_resumes_to_the_same_predictions_as_an_unbroken_run(
    local_ray, study, tiny, tmp_path, warm_cache
):
    killed = _failing_trial(tiny, tmp_path / "killed", warm_cache, fail_at=4, max_failures=1)
    assert study("ablation_lambda.py", [*killed, "--fail-once-how", "kill"]) == 0  # SIGKILL
    unbroken = [*tiny, "--storage", str(tmp_path / "unbroken"), "--lambdas", "1", "--seeds",
                "1", "--cache-dir", warm_cache]  # fmt: skip
    assert study("ablation_lambda.py", unbroken) == 0
    after = tmp_path / "killed" / "ablation_lambda"
    trials = read_table(after, "trials")
    assert list(trials["status"]) == ["ok"] and int(trials["resumed_from_iteration"][0]) == 4
    assert (after / ".fault-injected" / trials["trial_id"][0]).exists()
    # the checkpoint holds the RNG state: resuming changes nothing, to the last bit
    pd.testing.assert_frame_equal(
        read_table(after, "predictions"),
        read_table(tmp_path / "unbroken" / "ablation_lambda", "predictions"),
    )


def _fill(path: Path) -> None:
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * (1 << 20))
                f.flush()
        except OSError:
            pass


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB tmpfs of our own (root and mount rights needed: skipped elsewhere)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_storage_that_fills_up_stops_the_study_in_one_line_naming_it(
    study, tiny, small_disk, warm_cache, tmp_path
):
    folder = small_disk / "ablation_lambda"
    argv = [*tiny, "--storage", str(small_disk), "--lambdas", "0", "1", "10", "--seeds", "1",
            "--cache-dir", warm_cache, "--max-concurrent", "1"]  # fmt: skip
    log = open(tmp_path / "driver.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, str(STUDIES / "ablation_lambda.py"), *argv],
        stdout=log, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        _wait_for(lambda: list(folder.glob("trial_outputs/[!.]*/trials.parquet")), 300, proc)
        _fill(small_disk / "filler")  # the disk is full from here on
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert proc.returncode == 2, err[-3000:]
    assert len(lines) == 1 and "the study stopped: cannot write to" in lines[0], err[-3000:]
    assert str(folder) in lines[0] and "then --resume" in lines[0]
    # the trial that finished before the disk filled up is kept, whole
    trials = read_table(folder, "trials")
    assert len(trials) >= 1 and set(trials["status"]) == {"ok"}
    first = set(trials["trial_id"])

    # freed: --resume finishes every trial exactly once, even though Tune's state file was cut
    # off when the disk filled up (before the fix Tune restarted a run without its grid)
    (small_disk / "filler").unlink()
    done = subprocess.run(
        [sys.executable, str(STUDIES / "ablation_lambda.py"), *argv, "--resume"],
        capture_output=True, text=True, env=dict(os.environ), timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    trials = read_table(folder, "trials")
    assert sorted(trials["lambda_loss"]) == [0.0, 1.0, 10.0]
    assert trials["trial_id"].is_unique and set(trials["status"]) == {"ok"}
    assert first <= set(trials["trial_id"])
    predictions = read_table(folder, "predictions")
    per_trial = predictions.groupby("trial_id").size()
    assert set(per_trial.index) == set(trials["trial_id"]) and per_trial.nunique() == 1


def _stale_tune_state(run: Path) -> None:
    """Make Tune's newest experiment state say its trials still run, as a snapshot saved just
    before they finished would say after the driver was killed (Tune saves it every ~10 s)."""
    import json

    state_file = sorted(run.glob("experiment_state-*.json"))[-1]
    state = json.loads(state_file.read_text())
    for entry in state["trial_data"]:
        assert '"status": "TERMINATED"' in entry[0]
        entry[0] = entry[0].replace('"status": "TERMINATED"', '"status": "RUNNING"')
    state_file.write_text(json.dumps(state))


def test_a_trial_that_finished_after_tunes_last_snapshot_is_not_failed_on_resume(
    local_ray, study, tiny, tmp_path, warm_cache, capsys
):
    # Found by benchmarks/bench_study_scale.py: after a driver SIGKILL, Tune tried to restore
    # a trial that had finished after its last snapshot from the checkpoint gwin had deleted,
    # failed it three times and printed it as failed although its results were whole.
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "1", "--seeds", "2",
            "--cache-dir", warm_cache]  # fmt: skip
    assert study("ablation_lambda.py", argv) == 0
    folder = tmp_path / "ablation_lambda"
    (run,) = (folder / "tune").iterdir()
    _stale_tune_state(run)  # both trials "running" in Tune's state; the first one finished,
    unfinished = read_table(folder, "trials")["trial_id"][1]  # the second one did not
    shutil.rmtree(folder / "trial_outputs" / unfinished)
    capsys.readouterr()

    assert study("ablation_lambda.py", [*argv, "--resume"]) == 0
    out = capsys.readouterr()
    assert "Could not recover from checkpoint" not in out.out + out.err
    assert not list(run.rglob("error.txt"))  # Tune failed no trial
    trials = read_table(folder, "trials")
    assert list(trials["status"]) == ["ok", "ok"]
    assert unfinished in set(trials["trial_id"])
