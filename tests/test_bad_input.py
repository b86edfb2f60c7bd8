"""The bad-input catalogue of docs/reliability.md: each input, run as a user would, prints one
line starting "error: " that names the problem, exits with its status, and leaves nothing
half-written (no output or study folder where there was none).

Every case fails fast, before any training, so the whole catalogue runs in about a minute.
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
TRIAL = [sys.executable, "-m", "gwin", "trial"]
STUDY = [sys.executable, str(ROOT / "studies" / "ablation_lambda.py")]
TABLES = [sys.executable, str(ROOT / "analysis" / "tables.py")]
REPORT = [sys.executable, str(ROOT / "analysis" / "report.py")]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _idx(path: Path, magic: int, dims: list[int], payload: bytes, gz: bool = True) -> None:
    blob = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + payload
    path.write_bytes(gzip.compress(blob) if gz else blob)


def _mnist(folder: Path, damage: str) -> None:
    """A complete tiny MNIST folder, with one file damaged as `damage` says."""
    folder.mkdir()
    for split, n in (("train", 60), ("t10k", 10)):
        _idx(folder / f"{split}-images-idx3-ubyte.gz", 0x803, [n, 28, 28], bytes(n * 784))
        _idx(folder / f"{split}-labels-idx1-ubyte.gz", 0x801, [n], bytes(n))
    bad = folder / "t10k-labels-idx1-ubyte.gz"
    if damage == "truncated":
        _idx(bad, 0x801, [10], bytes(4))
    elif damage == "missing":
        bad.unlink()


def _study_folder(tmp: Path, kind: str) -> Path:
    """A results folder of one kind: failed trials only, an old schema, or no results."""
    folder = tmp / kind
    (folder / "results").mkdir(parents=True)
    row = {"trial_id": "t", "study": "s", "dataset": "digits", "classifier": "lenet5",
           "seed": 0, "lambda_loss": 1.0, "tau_star": 0.5, "preset": "smoke",
           "n_confident": 0, "classifier_cache_hit": False, "status": "error",
           "error": "RuntimeError: out of memory", "taus": "[0.5]"}  # fmt: skip
    table = pa.Table.from_pandas(pd.DataFrame([row]), preserve_index=False)
    if kind == "failed":
        from gwin.store.schema import stamp

        pq.write_table(stamp(table), folder / "results" / "trials.parquet")
    elif kind == "old-schema":
        pq.write_table(table.replace_schema_metadata(None), folder / "results" / "trials.parquet")
    return folder


# (id, command, expected fragment of the one line, exit status); TMP is the test's folder
CASES = [
    ("trial-unknown-dataset", [*TRIAL, "--dataset", "cifar"], "unknown dataset 'cifar'", 2),
    ("trial-negative-lambda", [*TRIAL, "--lambda-loss", "-1"], "lambda_loss must be >= 0", 2),
    ("trial-tau-star-above-1", [*TRIAL, "--tau-star", "2"], "tau_star must be in [0, 1]", 2),
    ("trial-tau-above-1", [*TRIAL, "--taus", "0.5", "1.5"], "every tau must be in [0, 1]", 2),
    ("trial-zero-iterations", [*TRIAL, "--iterations", "0"], "iterations must be >= 1", 2),
    ("trial-not-a-number", [*TRIAL, "--iterations", "many"], "invalid int value: 'many'", 2),
    ("trial-unknown-flag", [*TRIAL, "--lamda-loss", "1"], "unrecognized arguments", 2),
    ("trial-paper-on-digits", [*TRIAL, "--preset", "paper"], "the paper preset is for", 2),
    ("trial-no-loss-at-all", [*TRIAL, "--no-use-critic", "--lambda-loss", "0"],
     "leaves the generator without a loss", 2),
    ("trial-unknown-corruption", [*TRIAL, "--corruptions", "smog"], "unknown corruption 'smog'", 2),
    ("trial-unknown-device", [*TRIAL, "--device", "tpu"], "unknown device 'tpu'", 2),
    ("trial-unknown-classifier", [*TRIAL, "--classifier", "resnet"],
     "unknown classifier 'resnet'; choose one of lenet5, bcnn, lenet5_dropout", 2),
    ("trial-dropout-of-1", [*TRIAL, "--dropout", "1"], "dropout must be in (0, 1), got 1.0", 2),
    ("trial-out-unwritable", [*TRIAL, "--out", "/proc/gwin-nope"],
     "cannot write to /proc/gwin-nope", 2),
    ("trial-out-is-a-file", [*TRIAL, "--out", "TMP/file"], "is a file; pass a folder path", 2),
    ("trial-out-holds-results", [*TRIAL, "--out", "TMP/done"], "already holds results", 2),
    ("data-dir-missing", [*TRIAL, "--dataset", "mnist", "--data-dir", "TMP/none"], "TMP/none", 2),
    ("data-file-missing", [*TRIAL, "--dataset", "mnist", "--data-dir", "TMP/missing"],
     "t10k-labels-idx1-ubyte", 2),
    # a known file that is not the published one (truncated, altered, another file): the
    # checksum says so before any parsing (damaged IDX contents: tests/data/test_idx.py)
    ("data-file-checksum", [*TRIAL, "--dataset", "mnist", "--data-dir", "TMP/truncated"],
     "train-images-idx3-ubyte.gz is not the published file", 2),
    ("study-unknown-dataset", [*STUDY, "--storage", "TMP/runs", "--datasets", "nope"],
     "unknown dataset 'nope'", 2),
    ("study-zero-seeds", [*STUDY, "--storage", "TMP/runs", "--seeds", "0"], "must be >= 1", 2),
    ("study-zero-cpus", [*STUDY, "--storage", "TMP/runs", "--cpus-per-trial", "0"],
     "--cpus-per-trial must be > 0", 2),
    ("study-unreachable-address", [*STUDY, "--storage", "TMP/runs", "--address", "ADDRESS"],
     "cannot reach a Ray cluster at 127.0.0.1:", 2),
    ("study-unwritable-storage", [*STUDY, "--storage", "TMP/file/runs"], "cannot write to", 2),
    ("study-exists-without-resume", [*STUDY, "--storage", "TMP/existing"],
     "already exists; pass --resume", 2),
    ("study-bad-name", [*STUDY, "--storage", "TMP/runs", "--name", "a/b"],
     "must be a plain folder name", 2),
    ("tables-no-such-folder", [*TABLES, "TMP/none"], "does not exist", 2),
    ("tables-not-a-study", [*TABLES, "TMP/empty"], "is not a gwin study or trial folder", 2),
    ("tables-all-trials-failed", [*TABLES, "TMP/failed"],
     "none of the 1 trials in", 2),
    ("tables-old-schema", [*TABLES, "TMP/old-schema"], "holds results schema v1", 2),
    ("report-all-trials-failed", [*REPORT, "TMP/failed"], "first error: RuntimeError", 2),
]  # fmt: skip


def make_inputs(tmp_path: Path) -> Path:
    """The files and folders the cases refer to as TMP/..."""
    (tmp_path / "file").write_text("a file, not a folder")
    done = tmp_path / "done"
    done.mkdir()
    (done / "trials.parquet").write_bytes(b"")  # only its existence is checked
    (tmp_path / "existing" / "ablation_lambda" / "tune").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    for damage in ("truncated", "missing"):
        _mnist(tmp_path / damage, damage)
    for kind in ("failed", "old-schema"):
        _study_folder(tmp_path, kind)
    return tmp_path


@pytest.fixture
def tmp(tmp_path):
    return make_inputs(tmp_path)


def run_one(tmp: Path, command: list[str]) -> subprocess.CompletedProcess:
    """Run one case as a user would: TMP is the case's folder, ADDRESS a closed loopback port,
    and a trial without --out writes to TMP/out."""
    port = str(_closed_port())
    argv = [a.replace("TMP", str(tmp)).replace("ADDRESS", f"127.0.0.1:{port}") for a in command]
    if "--out" not in argv and argv[:4] == TRIAL:
        argv += ["--out", str(tmp / "out")]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)


def check_one_line(tmp: Path, command: list[str], fragment: str, status: int) -> None:
    """The case prints one line starting "error: " with `fragment` in it, exits with `status`,
    shows no traceback and leaves every file and folder under TMP as it was."""
    before = sorted(p.relative_to(tmp) for p in tmp.rglob("*"))
    run = run_one(tmp, command)
    lines = run.stderr.strip().splitlines()
    fragment = fragment.replace("TMP", str(tmp))
    assert run.returncode == status, run.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines
    assert "Traceback" not in run.stderr
    after = sorted(p.relative_to(tmp) for p in tmp.rglob("*"))
    assert after == before  # nothing half-written, no empty folders


@pytest.mark.parametrize(("command", "fragment", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_input_is_one_line_and_leaves_nothing_behind(tmp, command, fragment, status):
    check_one_line(tmp, command, fragment, status)


def catalogue_rows(cases=CASES, inputs=make_inputs) -> list[str]:
    """The markdown rows of a docs/reliability.md catalogue, from real runs:
    `python tests/test_bad_input.py` prints them (and each tests/test_bad_input_*.py its own)."""
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        base = inputs(Path(folder))
        for name, command, _, _ in cases:
            run = run_one(base, command)
            argv = [a.replace("TMP", str(base)).replace("ADDRESS", "127.0.0.1:9") for a in command]
            if "--out" not in argv and argv[:4] == TRIAL:
                argv += ["--out", str(base / "out")]
            shown = " ".join(a.replace(str(base), "TMP") for a in argv[1:])
            shown = shown.replace(str(ROOT) + "/", "").replace("-m gwin", "python -m gwin")
            line = run.stderr.strip().replace(str(base), "TMP")
            rows.append(f"| {name} | `{shown}` | `{line}` | {run.returncode} |")
    return rows


if __name__ == "__main__":
    print("\n".join(catalogue_rows()))
