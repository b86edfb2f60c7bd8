"""`python -m gwin apply`: the same labels from PNG files, IDX and .npy; bad input in one line."""

import gzip
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from gwin.data.datasets import load_dataset
from gwin.data.idx import write_idx
from gwin.store.location import Folder
from gwin.store.trial_outputs import write_trial

N = 12


@pytest.fixture(scope="module")
def trial_dir(tiny_trial, tmp_path_factory):
    out = tmp_path_factory.mktemp("trial")
    write_trial(Folder.at(out), tiny_trial)
    return out


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """The first N digits test images as uint8, written as PNGs, IDX and .npy."""
    root = tmp_path_factory.mktemp("images")
    x = load_dataset("digits").test.x[:N, 0].numpy()
    pixels = np.round(x * 255).astype(np.uint8)
    (root / "png").mkdir()
    for i, image in enumerate(pixels):
        Image.fromarray(image, mode="L").save(root / "png" / f"{i:03d}.png")
    write_idx(root / "images-idx3-ubyte.gz", pixels)
    np.save(root / "images.npy", pixels)
    return root


def apply(*args):
    cmd = [sys.executable, "-m", "gwin", "apply", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_the_three_input_formats_give_the_same_labels(trial_dir, images, tmp_path):
    labels = []
    for name, source in (("png", "png"), ("idx", "images-idx3-ubyte.gz"), ("npy", "images.npy")):
        out = tmp_path / f"{name}.parquet"
        run = apply(trial_dir, "--images", images / source, "--out", out)
        assert run.returncode == 0, run.stderr
        assert f"{N} images: C rejected" in run.stdout and "G changed the label of" in run.stdout
        frame = pd.read_parquet(out)
        assert len(frame) == N and {"source", "bnn_pred", "rejected", "final_pred"} <= set(frame)
        labels.append(frame["final_pred"].tolist())
        rejected = frame["rejected"]
        assert (frame.loc[~rejected, "final_pred"] == frame.loc[~rejected, "bnn_pred"]).all()
    assert labels[0] == labels[1] == labels[2]


def _one_line(run) -> str:
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    return run.stderr


def test_bad_inputs_give_one_line_and_exit_2(trial_dir, images, tmp_path):
    out = tmp_path / "o.parquet"
    big = tmp_path / "big"
    big.mkdir()
    Image.fromarray(np.zeros((32, 32), np.uint8), mode="L").save(big / "a.png")
    assert "32x32, expected 28x28" in _one_line(apply(trial_dir, "--images", big, "--out", out))
    colour = tmp_path / "colour"
    colour.mkdir()
    Image.fromarray(np.zeros((28, 28, 3), np.uint8), mode="RGB").save(colour / "a.png")
    assert "RGB image" in _one_line(apply(trial_dir, "--images", colour, "--out", out))
    missing = apply(trial_dir, "--images", tmp_path / "nope.npy", "--out", out)
    assert "no such file" in _one_line(missing)
    damaged = tmp_path / "damaged"
    import shutil

    shutil.copytree(trial_dir, damaged)
    (damaged / "model" / "classifier.pt").write_bytes(b"not a model")
    run = apply(damaged, "--images", images / "images.npy", "--out", out)
    assert "does not match its SHA-256" in _one_line(run)
    assert not out.exists()  # nothing half-written
    raw = tmp_path / "raw.gz"
    raw.write_bytes(gzip.compress(b"junk"))
    assert "not an IDX" in _one_line(apply(trial_dir, "--images", raw, "--out", out))


def test_the_readme_python_block_runs(trial_dir, tmp_path, monkeypatch, capsys):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (code,) = re.findall(r"<!-- tested: tests/test_apply.py -->\n```python\n(.*?)```", readme, re.S)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "trial-digits").symlink_to(trial_dir, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.count("[") == 4  # four arrays printed
