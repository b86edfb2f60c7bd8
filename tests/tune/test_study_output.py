"""What a study prints (gwin.tune.verbosity, issue 38): by default its header, one line per
trial event and the summary, within 100 columns and without Ray's and Tune's own output; with
-q the summary alone."""

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from gwin.errors import GwinError
from gwin.metrics.names import VAL_GAIN
from gwin.store.reader import read_table
from gwin.tune import verbosity
from gwin.tune.flags import build_parser
from gwin.tune.progress_table import WIDTH, StudyProgress
from tests.study_flags import TINY
from tests.tune.conftest import STUDIES

SUMMARY = ("study ", "results: ", "trials:  ", "tables:  ")


def test_q_and_v_set_one_verbosity_and_exclude_each_other():
    parser = build_parser("x", "", datasets=["digits"], preset="smoke", seeds=1, space_keys=[])
    assert parser.parse_args([]).verbosity == verbosity.DEFAULT
    assert parser.parse_args(["-q"]).verbosity == verbosity.QUIET
    assert parser.parse_args(["--verbose"]).verbosity == verbosity.VERBOSE
    with pytest.raises(GwinError, match="not allowed with"):
        parser.parse_args(["-q", "-v"])


def _trial(n: int, **result) -> SimpleNamespace:
    return SimpleNamespace(
        trial_id=f"t{n}", config={"preset": "smoke", "lambda_loss": 10.0 * n, "seed": n},
        status="RUNNING", last_result=result or None, num_failures=1, max_failures=2,
        pickled_error_file=None, get_pickled_error=lambda: None,
        get_error=lambda: "Traceback ...\nValueError: " + "x" * 200,
    )  # fmt: skip


def test_trial_events_print_one_line_each_within_100_columns(capsys):
    progress = StudyProgress("grid", ["lambda_loss", "seed"], total=2)
    ok, bad = _trial(0), _trial(1)
    trials = [ok, bad]
    printed = {}
    for level in (verbosity.QUIET, verbosity.DEFAULT):
        with verbosity.study_output(level):
            progress._started = set()
            ok.last_result, ok.status, bad.status = None, "RUNNING", "RUNNING"
            for trial in trials:
                progress.on_trial_start(0, trials, trial)
            progress.on_trial_recover(0, trials, bad)
            ok.last_result = {"gen_iter": 6, "trial_key": "k", VAL_GAIN: 1.5}
            progress.on_trial_complete(0, trials, ok)
            ok.status, bad.status = "TERMINATED", "ERROR"
            progress.on_trial_error(0, trials, bad)
            progress.on_experiment_end(trials)
        printed[level] = capsys.readouterr().out.splitlines()
    quiet, default = printed[verbosity.QUIET], printed[verbosity.DEFAULT]
    assert [s[9:17].strip() for s in default] == ["started", "started", "retrying", "done",
                                                  "failed"]  # fmt: skip
    assert [s[9:] for s in quiet] == [default[-1][9:]]  # -q: the failure alone
    assert default[3].endswith("lambda_loss=0 seed=0  val gain +1.50  [1/2]")
    assert "[2/2] ValueError: xxx" in default[4] and "retry 1 of 2 after ValueError" in default[2]
    assert max(map(len, default)) == WIDTH  # the long error is cut


def test_below_v_ray_and_tune_are_quiet_and_everything_is_restored_after():
    ray_logger = logging.getLogger("ray")
    before = (ray_logger.level, os.environ.get("RAY_AIR_NEW_OUTPUT"), verbosity.level())
    tune_logger = logging.getLogger("ray.tune.execution.tune_controller")
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    tune_logger.addHandler(handler)
    try:
        with verbosity.study_output(verbosity.QUIET):
            assert os.environ["RAY_AIR_NEW_OUTPUT"] == "0"  # Tune's legacy console: silent
            assert os.environ["TUNE_PRINT_ALL_TRIAL_ERRORS"] == "0"
            assert ray_logger.level == logging.ERROR and verbosity.level() == verbosity.QUIET
            tune_logger.error("Trial task failed for trial x")  # gwin's one line says it
            tune_logger.error("other errors stay")
        tune_logger.error("Trial task failed for trial y")
    finally:
        tune_logger.removeHandler(handler)
    assert seen == ["other errors stay", "Trial task failed for trial y"]
    assert (ray_logger.level, os.environ.get("RAY_AIR_NEW_OUTPUT"), verbosity.level()) == before
    assert verbosity.ray_init_options(verbosity.DEFAULT)["log_to_driver"] is False
    assert verbosity.ray_init_options(verbosity.DEFAULT, progress=True)["log_to_driver"]
    assert verbosity.ray_init_options(verbosity.VERBOSE) == {}


def test_an_old_checkpoint_already_gone_is_no_error_below_v():
    # Seen resuming an MNIST run killed with 2 checkpoints kept: Tune's saved state listed a
    # checkpoint it had deleted since, and deleting it again printed a traceback at ERROR.
    tune_logger = logging.getLogger("ray.tune.execution.tune_controller")
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    tune_logger.addHandler(handler)

    def error_handling_checkpoint(err: Exception) -> None:
        try:
            raise err
        except Exception:
            tune_logger.exception("Trial %s: Error handling checkpoint %s", "t1", "c")

    try:
        with verbosity.study_output(verbosity.DEFAULT):
            error_handling_checkpoint(FileNotFoundError("Path not found: checkpoint_000003"))
            error_handling_checkpoint(PermissionError("checkpoint_000004"))  # a real problem
        with verbosity.study_output(verbosity.VERBOSE):  # -v: Tune's own output, all of it
            error_handling_checkpoint(FileNotFoundError("Path not found: checkpoint_000005"))
    finally:
        tune_logger.removeHandler(handler)
    assert seen == ["Trial t1: Error handling checkpoint c"] * 2


@pytest.fixture(scope="module")
def storage():
    # short, as a user's would be: the summary's lines hold the study's path
    folder = tempfile.mkdtemp(prefix="gwo", dir="/tmp")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _study(storage: str, name: str, cache: str, *flags: str) -> list[str]:
    """The console of a 4-trial study (2 lambdas x 2 seeds), stdout and stderr together."""
    argv = [sys.executable, str(STUDIES / "ablation_lambda.py"), *TINY, "--lambdas", "0", "1",
            "--seeds", "2", "--storage", storage, "--name", name, "--cache-dir", cache,
            *flags]  # fmt: skip
    run = subprocess.run(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout
    return run.stdout.splitlines()


@pytest.mark.slow
def test_a_4_trial_study_prints_a_line_per_trial_event_and_with_q_its_summary(storage, warm_cache):
    lines = _study(storage, "default", warm_cache)
    assert len(lines) <= 40
    assert max(map(len, lines)) <= WIDTH
    text = "\n".join(lines)
    for ray_own in ("TensorBoard", "Configuration for experiment", "Started a local Ray",
                    "gwin_trainable pid=", "Trials did not complete"):  # fmt: skip
        assert ray_own not in text
    assert lines[0] == "study default: 4 trials to run (dataset 1 x lambda_loss 2 x seed 2)"
    ids = set(read_table(Path(storage, "default"), "trials")["trial_id"])
    assert len(ids) == 4
    for trial in ids:
        started = [s for s in lines if s[9:].startswith(f"started  {trial}")]
        done = [s for s in lines if s[9:].startswith(f"done     {trial}")]
        assert len(started) == 1 and len(done) == 1, trial
        assert "lambda_loss=" in done[0] and "val gain " in done[0]
    counts = sorted(s.rsplit(" ", 1)[1] for s in lines if s[9:].startswith("done "))
    assert counts == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert "4 trials ok, 0 failed" in text

    quiet = _study(storage, "quiet", warm_cache, "-q")
    shown = [s for s in quiet if s]
    assert len(shown) == len(SUMMARY) and all(
        s.startswith(p) for s, p in zip(shown, SUMMARY, strict=True)
    ), quiet
    assert "4 trials ok, 0 failed" in shown[0]
