"""The images-and-trained-models catalogue of docs/reliability.md: `gwin apply` reads two
inputs that come from outside, the images and the model folder. Each bad one, run as a user
would, prints one line starting "error: " that names the file and how to fix it, exits 2 and
leaves TMP as it was; none gets a label.

The model is a real model folder of untrained nets (gwin.model.model_files on a smoke config,
a second or two) beside a one-row trials table: no training. `python
tests/test_bad_input_models.py` prints the catalogue's rows.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

if __name__ == "__main__":  # run as a script: the checkout's root is not on sys.path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_bad_input import catalogue_rows, check_one_line  # noqa: E402

APPLY = [sys.executable, "-m", "gwin", "apply"]
OK_MODEL = ["TMP/trial", "--out", "TMP/p.csv"]  # a good model; the case's --images is bad


def _images(name: str) -> list[str]:
    return [*APPLY, *OK_MODEL, "--images", f"TMP/{name}"]


def _model(name: str) -> list[str]:
    return [*APPLY, f"TMP/{name}", "--images", "TMP/ok.npy", "--out", "TMP/p.csv"]


# (id, command, expected fragment of the one line, exit status); TMP is the test's folder
CASES = [
    ("apply-nan-pixels", _images("nan.npy"), "nan.npy: 3 pixels are NaN or infinite", 2),
    ("apply-inf-pixels", _images("inf.npy"), "inf.npy: 1 pixel is NaN or infinite", 2),
    ("apply-int64-array", _images("int64.npy"), "int64.npy: pixels of type int64", 2),
    ("apply-empty-npy", _images("empty.npy"), "empty.npy is empty (0 bytes)", 2),
    ("apply-truncated-npy", _images("cut.npy"), "cut.npy is truncated", 2),
    ("apply-empty-png", _images("empty.png"), "empty.png is empty (0 bytes)", 2),
    ("apply-truncated-png", _images("cut.png"), "cut.png is truncated or damaged", 2),
    ("apply-colour-npy", _images("rgb.npy"), "convert them to grayscale", 2),
    ("apply-wrong-size-npy", _images("big.npy"), "resize them to 28x28", 2),
    ("apply-palette-png", _images("palette.png"), "convert it to grayscale", 2),
    ("apply-images-fifo", _images("fifo.npy"), "fifo.npy is not a regular file", 2),
    ("apply-out-exists", [*APPLY, "TMP/trial", "--images", "TMP/ok.npy", "--out", "TMP/old.csv"],
     "--out TMP/old.csv already exists; pass another --out path or remove it", 2),
    ("model-dim-huge", _model("huge-dim"),
     "model/model.json: generator.dim must be an integer in [1, 512], got 200000", 2),
    ("model-key-missing", _model("no-generator"), "model/model.json lacks 'generator'", 2),
    ("model-string-for-number", _model("string-classes"),
     "model/model.json: num_classes must be an integer in [2, 1000], got 'ten'", 2),
    ("model-mc-samples-zero", _model("zero-samples"), "mc_samples must be an integer in", 2),
    ("model-checksums-not-a-table", _model("sha-list"), "sha256 must be an object", 2),
    ("model-weights-other-architecture", _model("other-arch"),
     "generator.pt does not fit the generator model.json describes", 2),
    ("model-weights-fifo", _model("weights-fifo"), "model/generator.pt is not a regular file", 2),
    ("model-weights-symlink", _model("weights-link"),
     "model/generator.pt is a symbolic link", 2),
    ("model-weights-empty", _model("weights-empty"), "model/generator.pt is empty (0 bytes)", 2),
]  # fmt: skip


def make_trial(folder: Path) -> Path:
    """A trial folder that `gwin apply` and `gwin.load` accept: a stamped one-row trials table
    and a model/ of untrained smoke nets (seeded), in a couple of seconds."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    import torch

    from gwin.config import TrialConfig
    from gwin.model import model_files
    from gwin.models.gwin_nets import build_generator
    from gwin.models.registry import build_classifier
    from gwin.store.schema import MODEL_DIR, stamp

    cfg = TrialConfig.from_preset("smoke", dataset="digits")
    torch.manual_seed(0)
    classifier = build_classifier(cfg.classifier, 10, **cfg.classifier_options())
    generator = build_generator(cfg.generator, cfg.dim, cfg.z_dim)
    (folder / MODEL_DIR).mkdir(parents=True)
    for name, data in model_files(cfg, classifier, generator, 10, "t").items():
        (folder / MODEL_DIR / name).write_bytes(data)
    row = {"trial_id": "t", "study": "s", "dataset": "digits", "classifier": cfg.classifier,
           "seed": 0, "lambda_loss": 1.0, "tau_star": 0.5, "preset": "smoke",
           "n_confident": 0, "classifier_cache_hit": False, "status": "ok", "error": None,
           "taus": "[0.5]"}  # fmt: skip
    table = pa.Table.from_pandas(pd.DataFrame([row]), preserve_index=False)
    pq.write_table(stamp(table), folder / "trials.parquet")
    return folder


def _edit_meta(tmp: Path, name: str, edit) -> None:
    """A copy of TMP/trial named `name` whose model.json is `edit(meta)` (checksums kept)."""
    shutil.copytree(tmp / "trial", tmp / name, symlinks=True)
    path = tmp / name / "model" / "model.json"
    meta = json.loads(path.read_text())
    edit(meta)
    path.write_text(json.dumps(meta))


def _png_bytes(pixels: np.ndarray, mode: str | None = None) -> bytes:
    import io

    from PIL import Image

    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    (image.convert(mode) if mode else image).save(buffer, format="PNG")
    return buffer.getvalue()


def make_images(tmp: Path) -> None:
    """The image files the cases name (and TMP/ok.npy, three good digits-like images)."""
    rng = np.random.default_rng(0)
    good = rng.random((3, 28, 28), dtype=np.float32)
    np.save(tmp / "ok.npy", good)
    nan = good.copy()
    nan[0, 0, :3] = np.nan
    np.save(tmp / "nan.npy", nan)
    inf = good.copy()
    inf[1, 5, 5] = np.inf
    np.save(tmp / "inf.npy", inf)
    np.save(tmp / "int64.npy", (good > 0.5).astype(np.int64))  # 0/1: inside [0, 1] today
    (tmp / "empty.npy").write_bytes(b"")
    np.save(tmp / "full.npy", good)
    data = (tmp / "full.npy").read_bytes()
    (tmp / "full.npy").unlink()
    (tmp / "cut.npy").write_bytes(data[: len(data) // 2])
    (tmp / "empty.png").write_bytes(b"")
    png = _png_bytes((good[0] * 255).astype(np.uint8))
    (tmp / "cut.png").write_bytes(png[: len(png) // 2])
    np.save(tmp / "rgb.npy", np.zeros((2, 28, 28, 3), np.uint8))
    np.save(tmp / "big.npy", np.zeros((2, 32, 32), np.uint8))
    (tmp / "palette.png").write_bytes(_png_bytes(np.zeros((28, 28), np.uint8), "P"))
    os.mkfifo(tmp / "fifo.npy")
    (tmp / "old.csv").write_text("an earlier table\n")


def make_models(tmp: Path) -> None:
    """Copies of TMP/trial, each with one thing wrong in its model/ folder."""
    make_trial(tmp / "trial")
    _edit_meta(tmp, "huge-dim", lambda m: m["generator"].update(dim=200_000))
    _edit_meta(tmp, "no-generator", lambda m: m.pop("generator"))
    _edit_meta(tmp, "string-classes", lambda m: m.update(num_classes="ten"))
    _edit_meta(tmp, "zero-samples", lambda m: m.update(mc_samples=0))
    _edit_meta(tmp, "sha-list", lambda m: m.update(sha256=list(m["sha256"].values())))
    _edit_meta(tmp, "other-arch", lambda m: m["generator"].update(dim=m["generator"]["dim"] + 1))
    for name in ("weights-fifo", "weights-link", "weights-empty"):
        shutil.copytree(tmp / "trial", tmp / name)
        (tmp / name / "model" / "generator.pt").unlink()
    os.mkfifo(tmp / "weights-fifo" / "model" / "generator.pt")
    # a link that stays inside the trial folder (a link outside it is the store's case) to a
    # FIFO: read through, it would hang
    os.mkfifo(tmp / "weights-link" / "pipe")
    (tmp / "weights-link" / "model" / "generator.pt").symlink_to("../pipe")
    (tmp / "weights-empty" / "model" / "generator.pt").write_bytes(b"")


def make_inputs(tmp_path: Path) -> Path:
    make_images(tmp_path)
    make_models(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_inputs(tmp_path_factory.mktemp("models"))


def _copy(src: str, dst: str) -> None:
    """shutil.copy2, but a FIFO is made anew (copying one would read it: a hang)."""
    if stat.S_ISFIFO(os.lstat(src).st_mode):
        os.mkfifo(dst)
    else:
        shutil.copy2(src, dst)


@pytest.fixture
def tmp(built, tmp_path):
    """A fresh copy per case (FIFOs and links kept as they are)."""
    shutil.copytree(built, tmp_path / "c", symlinks=True, copy_function=_copy)
    return tmp_path / "c"


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """A test that blocks (a FIFO read) fails after `seconds` instead of hanging the run; a
    subprocess.run it waits on kills its child when the alarm's exception interrupts it."""

    def expire(signum, frame):
        raise TimeoutError(f"hung for {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def no_hang():
    with alarm(120):  # a case takes seconds; the harness's own timeout is 300 s
        yield


@pytest.mark.parametrize(("command", "fragment", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_image_or_model_is_one_line_and_leaves_nothing_behind(tmp, command, fragment, status):
    check_one_line(tmp, command, fragment, status)


if __name__ == "__main__":
    print("\n".join(catalogue_rows(CASES, make_inputs)))
