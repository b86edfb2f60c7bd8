"""`python -m gwin trial --resume`: a killed single trial continues from OUT/checkpoint/ to the
very predictions an uninterrupted run gives; mismatched or contradictory resumes are refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[1]
# one thread in every run, so that an interrupted run and an unbroken one compute alike (torch
# sizes its pools from these); fewer corruptions and draws than smoke keep the runs short
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
SETTINGS = dict(
    iterations=40, eval_every=10, checkpoint_every=10, corruptions=("rotate",), mc_samples=4
)
ARGS = ["--preset", "smoke", "--dataset", "digits", "--iterations", "40", "--eval-every", "10",
        "--checkpoint-every", "10", "--corruptions", "rotate", "--mc-samples", "4",
        "--no-progress"]  # fmt: skip


def gwin_trial(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gwin", "trial", *args],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def trial_key(**changes) -> str:
    """The trial id the CLI gives `ARGS` (with `changes`)."""
    from gwin.config import TrialConfig

    return TrialConfig.from_preset("smoke", dataset="digits", **{**SETTINGS, **changes}).trial_key()


def one_line(run: subprocess.CompletedProcess) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def write_checkpoint(out: Path, trial_id: str, iteration: int = 10) -> Path:
    """A checkpoint as a run of trial `trial_id` leaves it (the CLI's own writer)."""
    from gwin.store.location import Folder
    from gwin.trial_folder import Checkpoint

    Checkpoint(Folder.at(out), trial_id).save({"iteration": iteration})
    folder = out / "checkpoint"
    assert sorted(p.name for p in folder.iterdir()) == [
        "checkpoint.json", "gwin_state.pt", "gwin_state.pt.sha256"
    ]  # fmt: skip
    return folder


def write_finished(out: Path, trial_id: str) -> None:
    """A finished trial folder as far as `--resume` looks: its trials.parquet."""
    from gwin.store.location import Folder
    from gwin.store.schema import stamp
    from gwin.store.trial_outputs import write_tables

    write_tables(
        Folder.at(out), {"trials.parquet": stamp(pa.Table.from_pylist([{"trial_id": trial_id}]))}
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> str:
    """One artifact cache for the module: the classifier is trained by the first run only."""
    return str(tmp_path_factory.mktemp("resume-cache"))


def test_resume_and_overwrite_together_are_refused(tmp_path):
    run = gwin_trial(*ARGS, "--out", str(tmp_path / "out"), "--resume", "--overwrite")
    assert run.returncode == 2
    assert "--resume and --overwrite" in one_line(run)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("resume", [True, False])
def test_a_checkpoint_of_another_config_is_refused(tmp_path, resume):
    out = tmp_path / "out"
    checkpoint = write_checkpoint(out, trial_key(seed=7))
    cache = tmp_path / "cache"
    run = gwin_trial(*ARGS, "--out", str(out), "--cache-dir", str(cache),
                     *(["--resume"] if resume else []))  # fmt: skip
    assert run.returncode == 2
    line = one_line(run)
    if resume:  # refused for the config
        assert f"checkpoint of trial {trial_key(seed=7)}, not of trial {trial_key()}" in line
    else:  # never ignored silently
        assert "unfinished trial" in line and "--resume" in line and "--overwrite" in line
    assert checkpoint.exists() and not cache.exists()  # kept, and nothing trained


def test_resume_of_a_finished_trial_exits_0_without_training(tmp_path):
    out = tmp_path / "out"
    write_finished(out, trial_key())
    write_checkpoint(out, trial_key(), iteration=40)  # as a kill right after the tables leaves
    cache = tmp_path / "cache"
    run = gwin_trial(*ARGS, "--out", str(out), "--cache-dir", str(cache), "--resume")
    assert run.returncode == 0, run.stderr
    assert "already holds this finished trial" in one_line(run) and run.stdout == ""
    assert not cache.exists() and not (out / "checkpoint").exists()

    other = gwin_trial(*ARGS, "--seed", "7", "--out", str(out), "--resume")
    assert other.returncode == 2 and f"finished trial {trial_key()}, not" in one_line(other)


def _run_until_checkpointed(args: list[str], out: Path, timeout: float = 600) -> None:
    """Start the trial, and SIGKILL it once it has checkpointed and trained on past it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gwin", "trial", *args], cwd=ROOT, env=ENV,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        # checkpoint.json is moved in last: once it is there, the checkpoint is whole
        while not (out / "checkpoint" / "checkpoint.json").exists():
            assert proc.poll() is None, f"the trial ended (rc {proc.returncode}) unkilled"
            assert time.monotonic() < deadline, "no checkpoint in time"
            time.sleep(0.05)
        time.sleep(0.5)  # training goes on past the checkpoint
        assert proc.poll() is None, "the trial finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_a_killed_trial_resumes_to_the_predictions_of_an_unbroken_run(tmp_path, cache):
    unbroken, killed = tmp_path / "unbroken", tmp_path / "killed"
    ref = gwin_trial(*ARGS, "--cache-dir", cache, "--out", str(unbroken))
    assert ref.returncode == 0, ref.stderr
    assert not (unbroken / "checkpoint").exists()  # a finished trial keeps none

    args = [*ARGS, "--cache-dir", cache, "--out", str(killed)]
    _run_until_checkpointed(args, killed)
    assert (killed / "checkpoint" / "gwin_state.pt").exists()
    assert not (killed / "trials.parquet").exists()
    again = gwin_trial(*args)  # without --resume the checkpoint is not ignored
    assert again.returncode == 2 and "--resume" in one_line(again)

    resumed = gwin_trial(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    trials = pd.read_parquet(killed / "trials.parquet")
    k = trials["resumed_from_iteration"].item()
    assert k >= 10
    assert f"[gwin] resuming from iteration {k} ({killed / 'checkpoint'})" in resumed.stderr
    assert pd.read_parquet(unbroken / "trials.parquet")["resumed_from_iteration"].item() == 0
    # the checkpoint holds the RNG state: resuming changes nothing, to the last bit
    pd.testing.assert_frame_equal(
        pd.read_parquet(killed / "predictions.parquet"),
        pd.read_parquet(unbroken / "predictions.parquet"),
    )
    # and the reports from before the checkpoint are kept
    pd.testing.assert_frame_equal(
        pd.read_parquet(killed / "history.parquet"),
        pd.read_parquet(unbroken / "history.parquet"),
    )
    assert not (killed / "checkpoint").exists()
    assert not list(killed.rglob(".*"))  # no temporaries left


@pytest.mark.slow
def test_overwrite_clears_a_checkpoint_and_a_damaged_one_restarts_at_0(tmp_path, cache):
    short = ["--iterations", "4", "--eval-every", "2", "--checkpoint-every", "2"]
    changes = dict(iterations=4, eval_every=2, checkpoint_every=2)
    out = tmp_path / "out"
    write_checkpoint(out, trial_key(seed=7))  # another config's: --overwrite discards it
    run = gwin_trial(*ARGS, *short, "--cache-dir", cache, "--out", str(out), "--overwrite")
    assert run.returncode == 0, run.stderr
    assert not (out / "checkpoint").exists()

    damaged = tmp_path / "damaged"
    state = write_checkpoint(damaged, trial_key(**changes), iteration=2) / "gwin_state.pt"
    state.write_bytes(state.read_bytes()[:-8])  # cut off
    run = gwin_trial(*ARGS, *short, "--cache-dir", cache, "--out", str(damaged), "--resume")
    assert run.returncode == 0, run.stderr
    assert "is damaged: its SHA-256 does not match; training from iteration 0" in run.stderr
    assert pd.read_parquet(damaged / "trials.parquet")["resumed_from_iteration"].item() == 0
    assert not (damaged / "checkpoint").exists()
