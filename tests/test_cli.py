"""`python -m gwin trial`: the README's commands, their outputs and their errors."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gwin.store.reader import read_table

ROOT = Path(__file__).resolve().parents[1]
FASHION = ROOT.parent / "shared" / "datasets" / "fashion-mnist"
FAST = ["--iterations", "6", "--eval-every", "3", "--no-progress"]


def gwin(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "gwin", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


@pytest.mark.slow
def test_readme_trial_command_writes_consistent_results(tmp_path, monkeypatch):
    out = tmp_path / "trial-digits"
    env_cache = ["--cache-dir", str(tmp_path / "cache")]
    run = gwin(
        "trial",
        "--dataset",
        "digits",
        "--preset",
        "smoke",
        "--seed",
        "0",
        "--out",
        str(out),
        *env_cache,
        *FAST,
    )
    assert run.returncode == 0, run.stderr
    assert "% Reject" in run.stdout and "BNN+GWIN Acc." in run.stdout
    trials, preds = read_table(out, "trials"), read_table(out, "predictions")
    assert len(trials) == 1 and trials["status"].item() == "ok"
    assert (
        set(preds["split"]) == {"val", "test"}
        and (preds["trial_id"] == trials["trial_id"][0]).all()
    )
    # The printed 0.80 row equals the sweep recomputed from the stored predictions.
    from gwin.metrics.sweep import tau_sweep

    clean = preds[(preds["split"] == "test") & (preds["corruption"] == "none")]
    row = tau_sweep(clean, [0.8]).iloc[0]
    printed = next(line for line in run.stdout.splitlines() if line.startswith("| 0.80"))
    assert f"{row['pct_reject']:.2f}" in printed
    assert not list(tmp_path.glob(".trial-digits.*"))  # no staging leftovers

    again = gwin("trial", "--dataset", "digits", "--out", str(out), *env_cache, *FAST)
    assert again.returncode == 2 and "already holds results" in again.stderr


@pytest.mark.slow
@pytest.mark.skipif(not FASHION.exists(), reason="shared Fashion-MNIST files not present")
def test_fashion_cpu_command_on_a_small_budget(tmp_path):
    out = tmp_path / "fashion"
    run = gwin(
        "trial",
        "--dataset",
        "fashion_mnist",
        "--preset",
        "cpu",
        "--data-dir",
        str(FASHION),
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
        # the README's command on a budget: a few minutes of C cannot reach tau* = 0.95
        *("--limit-train", "2000", "--clf-epochs", "2", "--tau-star", "0.3"),
        *("--confident-pool", "500", "--val-limit", "200", "--eval-size", "200"),
        *FAST,
    )
    assert run.returncode == 0, run.stderr
    trials = pd.read_parquet(out / "trials.parquet")
    assert trials["n_train"].item() == 2000 and trials["dataset"].item() == "fashion_mnist"
    preds = pd.read_parquet(out / "predictions.parquet")
    assert (preds["split"] == "test").sum() == 10_000 and (preds["split"] == "val").sum() == 200


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["--lambda-loss", "-1"], "lambda_loss must be >= 0"),
        (["--tau-star", "2"], "tau_star must be in [0, 1]"),
        (["--iterations", "0"], "iterations must be >= 1"),
        (["--dataset", "mnist", "--data-dir", "/nonexistent/gwin-data"], "/nonexistent/gwin-data"),
        # checked before the trial runs, not after (it was a 27-line traceback at the end)
        (["--out", "/proc/gwin-nope"], "cannot write to /proc/gwin-nope"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, fragment):
    out = tmp_path / "out"
    run = gwin("trial", "--out", str(out), "--cache-dir", str(tmp_path / "c"), *args)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], run.stderr
    assert not out.exists()


def test_usage_without_command_lists_the_subcommands():
    run = gwin()
    assert run.returncode == 2 and "usage: gwin SUBCOMMAND" in run.stderr
    assert all(f"  {name} " in run.stderr for name in ("trial", "study", "tables", "apply"))
