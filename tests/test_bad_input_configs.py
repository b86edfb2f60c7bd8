"""The bad-input catalogue of config files, flags and the trial folder (docs/reliability.md,
"Config files, flags and the trial folder"): each input, run as a user would, prints one line
starting "error: ", exits 2 and leaves its folder as it was. A config file is read with limits
(size, aliases, depth, UTF-8, no repeated keys), every number is finite and in its range, and
a trial's --out has one writer at a time (a separate test: it needs a running first trial).

`python tests/test_bad_input_configs.py` prints the rows of the docs' table from real runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

if __name__ == "__main__":  # run as a script: the checkout's root is not on sys.path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_bad_input import ROOT, STUDY, TRIAL, catalogue_rows, check_one_line  # noqa: E402

DRY = [*STUDY, "--storage", "TMP/runs", "--dry-run"]  # a study that would only print its grid


def _config(name: str, text: str | bytes) -> tuple[str, str | bytes]:
    return name, text


# name -> content of each bad config file under TMP/
CONFIG_FILES = dict(
    [
        # a "billion laughs" inside one setting: 9 levels of 9 aliases each stand for 9**9
        # items (any repr of the value, e.g. in an error line, never ends)
        _config(
            "bomb.yaml",
            "clf_lr:\n  - &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"  - &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
            ),
        ),
        _config("latin1.yaml", "# r\xe9glages\nlambda_loss: 1.0\n".encode("latin-1")),
        _config("deep.yaml", "lambda_loss: " + "[" * 5000 + "]" * 5000 + "\n"),
        _config("huge.yaml", "# padding\n" * 200_000 + "lambda_loss: 1.0\n"),
        _config("typo.yaml", "lamda_loss: 1.0\n"),
        _config("twice.yaml", "lambda_loss: 1.0\nlambda_loss: 10.0\n"),
        _config("inf.yaml", "clf_lr: .inf\n"),
        _config("nan.yaml", "lambda_gp: .nan\n"),
        _config("bigint.yaml", f"iterations: {10**30}\n"),
        _config("python-tag.yaml", "lambda_loss: !!python/object/apply:os.getcwd []\n"),
        _config("list.yaml", "- lambda_loss\n- 1.0\n"),
    ]
)

# (id, command, expected fragment of the one line, exit status); TMP is the test's folder
CASES = [
    ("config-alias-bomb", [*TRIAL, "--config", "TMP/bomb.yaml"], "aliases", 2),
    ("config-not-utf8", [*TRIAL, "--config", "TMP/latin1.yaml"], "is not UTF-8 text", 2),
    ("config-too-deep", [*TRIAL, "--config", "TMP/deep.yaml"], "nested deeper than", 2),
    ("config-too-large", [*TRIAL, "--config", "TMP/huge.yaml"], "is larger than", 2),
    ("config-unknown-key", [*TRIAL, "--config", "TMP/typo.yaml"],
     "unknown setting 'lamda_loss'; did you mean 'lambda_loss'?", 2),
    ("config-repeated-key", [*TRIAL, "--config", "TMP/twice.yaml"],
     "sets 'lambda_loss' twice", 2),
    ("config-infinite-lr", [*TRIAL, "--config", "TMP/inf.yaml"],
     "clf_lr must be a finite number", 2),
    ("config-nan-lambda", [*TRIAL, "--config", "TMP/nan.yaml"],
     "lambda_gp must be a finite number", 2),
    ("config-huge-int", [*TRIAL, "--config", "TMP/bigint.yaml"], "iterations must be <=", 2),
    ("config-python-tag", [*TRIAL, "--config", "TMP/python-tag.yaml"], "not valid YAML", 2),
    ("config-not-a-mapping", [*TRIAL, "--config", "TMP/list.yaml"],
     "expected a mapping of settings", 2),
    ("config-missing", [*TRIAL, "--config", "TMP/none.yaml"], "cannot read it", 2),
    ("config-a-folder", [*TRIAL, "--config", "TMP"], "cannot read it", 2),
    ("trial-clf-lr-inf", [*TRIAL, "--clf-lr", "inf"], "clf_lr must be a finite number", 2),
    ("trial-lr-nan", [*TRIAL, "--lr-g", "nan"], "lr_g must be a finite number", 2),
    ("trial-lambda-inf", [*TRIAL, "--lambda-loss", "inf"],
     "lambda_loss must be a finite number", 2),
    ("trial-huge-dim", [*TRIAL, "--dim", "100000"], "dim must be <= 4096", 2),
    ("trial-huge-seed", [*TRIAL, "--seed", str(2**40)], "seed must be <=", 2),
    ("trial-device-mps", [*TRIAL, "--device", "mps"], "MPS is not available", 2),
    ("trial-device-garbage", [*TRIAL, "--device", "cuda-fast"], "unknown device 'cuda-fast'", 2),
    ("study-clf-lr-inf", [*DRY, "--clf-lr", "inf"], "clf_lr must be a finite number", 2),
    ("study-cpus-inf", [*DRY, "--cpus-per-trial", "inf"],
     "--cpus-per-trial must be a finite number > 0", 2),
    ("study-cpus-nan", [*DRY, "--cpus-per-trial", "nan"],
     "--cpus-per-trial must be a finite number > 0", 2),
    ("study-gpus-nan", [*DRY, "--gpus-per-trial", "nan"],
     "--gpus-per-trial must be a finite number >= 0", 2),
    ("study-seeds-huge", [*DRY, "--seeds", "1000000000"], "at most 10000 seeds", 2),
    ("study-device-mps", [*DRY, "--device", "mps"], "MPS is not available", 2),
    ("study-config-alias-bomb", [*DRY, "--config", "TMP/bomb.yaml"], "aliases", 2),
]  # fmt: skip


def make_inputs(tmp_path: Path) -> Path:
    """The config files the cases refer to as TMP/..."""
    for name, content in CONFIG_FILES.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


@pytest.fixture
def tmp(tmp_path):
    return make_inputs(tmp_path)


@pytest.mark.parametrize(("command", "fragment", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_config_or_flag_is_one_line_and_leaves_nothing_behind(tmp, command, fragment, status):
    check_one_line(tmp, command, fragment, status)


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_a_second_trial_into_the_same_out_is_refused_and_the_first_left_intact(tmp_path):
    """One writer per --out: the second run names the first (pid, host, start) in one line,
    exits 2 and changes nothing in the folder, which the first run goes on writing."""
    out = tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    args = ["--preset", "smoke", "--dataset", "digits", "--iterations", "100000", "--out",
            str(out), "--cache-dir", str(tmp_path / "cache"), "--no-progress"]  # fmt: skip
    first = subprocess.Popen([*TRIAL, *args], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        # running: it holds the lock (or, on code without one, has written a checkpoint)
        while not ((out / ".gwin-trial.lock").exists() or (out / "checkpoint").exists()):
            assert first.poll() is None, (
                first.stderr.read().decode()[-2000:] if first.stderr else ""
            )
            assert time.monotonic() < deadline, "the first trial never took its --out"
            time.sleep(0.2)
        time.sleep(0.5)  # its owner record is written just after the lock is taken
        before = _listing(out)
        for extra in ([], ["--overwrite"], ["--resume"]):
            second = subprocess.run([*TRIAL, *args, *extra], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=300)  # fmt: skip
            lines = second.stderr.strip().splitlines()
            assert second.returncode == 2, second.stderr[-2000:]
            assert len(lines) == 1 and lines[0].startswith("error: "), lines
            assert f"pid {first.pid} on " in lines[0] and "since " in lines[0], lines
            assert "Traceback" not in second.stderr
            after = _listing(out)
            # the first run may have added files meanwhile, but nothing it wrote is gone
            assert set(before) <= set(after), (before, after)
        assert first.poll() is None  # the first run goes on
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        if first.stderr:
            first.stderr.close()


if __name__ == "__main__":
    print("\n".join(catalogue_rows(CASES, make_inputs)))
