"""MNIST from the shared IDX files (../shared/datasets/mnist): the paper's Table 1 dataset.

The files are checked byte for byte against gwin.data.sources, split 50,000 / 10,000 / 10,000
as Section 5.1 says, and the README's MNIST trial runs on them end to end."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gwin.data import load_dataset
from gwin.data.sources import IDX_FILES

ROOT = Path(__file__).resolve().parents[2]
MNIST = ROOT.parent / "shared" / "datasets" / "mnist"
pytestmark = pytest.mark.skipif(not MNIST.exists(), reason="shared MNIST files not present")


def test_the_shared_files_are_the_published_ones():
    for spec in IDX_FILES["mnist"]:
        packed = (MNIST / f"{spec.name}.gz").read_bytes()
        assert hashlib.sha256(gzip.decompress(packed)).hexdigest() == spec.raw_sha256, spec.name


def test_mnist_splits_50k_10k_10k_with_every_digit():
    data = load_dataset("mnist", MNIST)
    assert (len(data.train), len(data.val), len(data.test)) == (50_000, 10_000, 10_000)
    assert data.num_classes == 10 and tuple(data.train.x.shape[1:]) == (1, 28, 28)
    for split in (data.train, data.val, data.test):
        counts = np.bincount(split.y.numpy(), minlength=10)
        assert counts.min() > 0.08 * len(split)  # every digit, about a tenth each
        assert 0.0 <= float(split.x.min()) and float(split.x.max()) <= 1.0
    # train and validation are the 60,000 published training images, each exactly once
    ours = np.concatenate([data.train.x.numpy(), data.val.x.numpy()]).reshape(60_000, -1)
    ours_bytes = sorted(row.tobytes() for row in np.rint(ours * 255).astype(np.uint8))
    raw = gzip.decompress((MNIST / "train-images-idx3-ubyte.gz").read_bytes())[16:]
    published = np.frombuffer(raw, dtype=np.uint8).reshape(60_000, -1)
    assert ours_bytes == sorted(row.tobytes() for row in published)


@pytest.mark.slow
def test_the_readme_mnist_smoke_trial_runs_end_to_end_on_a_budget(tmp_path):
    """The README's MNIST command with training, validation and Monte Carlo draws cut short: the
    full smoke preset took over 10 CPU minutes here, most of it T = 10 draws of C for three
    verdicts on 10,000 test inputs per test set (0.3 s per 250-input draw at 1 thread), too long
    for CI; the data path, the 10,000 test inputs and the outputs are the same."""
    out = tmp_path / "mnist"
    command = [sys.executable, "-m", "gwin", "trial", "--dataset", "mnist", "--data-dir",
               str(MNIST), "--preset", "smoke", "--out", str(out), "--no-progress",
               "--cache-dir", str(tmp_path / "cache"), "--limit-train", "3000",
               "--clf-epochs", "2", "--confident-pool", "1000", "--val-limit", "500",
               "--iterations", "6", "--eval-every", "3", "--corruptions", "rotate",
               "--mc-samples", "2"]  # fmt: skip
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    trial = pd.read_parquet(out / "trials.parquet").iloc[0]
    assert (trial["dataset"], trial["n_train"]) == ("mnist", 3_000)
    assert trial["test_bnn_acc"] > 80  # a 2-epoch Bayesian LeNet-5 on 3,000 MNIST digits
    assert 0 < trial["n_confident"] <= 1_000
    preds = pd.read_parquet(out / "predictions.parquet")
    clean = preds[preds["corruption"] == "none"]
    assert (clean["split"] == "test").sum() == 10_000 and (clean["split"] == "val").sum() == 500
