"""Growing a study: --add-seeds and --extend run only the new trials; a finished study's
--resume says so without Ray; a grid that drops trials is refused."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gwin.store.reader import read_table
from gwin.tune import runner

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def grown(local_ray, study, tiny, tmp_path_factory, warm_cache):
    """A 2-trial lambda study (lambdas 0 10, seed 0), then --add-seeds 1 (by its config.yaml
    alone), then --extend to lambda 100: a list of the trials table after each step."""
    storage = tmp_path_factory.mktemp("storage")
    base = [*tiny, "--storage", str(storage), "--cache-dir", warm_cache]
    tables = []
    assert study("ablation_lambda.py", [*base, "--lambdas", "0", "10", "--seeds", "1"]) == 0
    tables.append(read_table(storage / "ablation_lambda", "trials"))
    assert study("ablation_lambda.py", ["--storage", str(storage), "--add-seeds", "1"]) == 0
    tables.append(read_table(storage / "ablation_lambda", "trials"))
    argv = [*base, "--lambdas", "0", "10", "100", "--seed-list", "0", "1", "--extend"]
    assert study("ablation_lambda.py", argv) == 0
    tables.append(read_table(storage / "ablation_lambda", "trials"))
    return storage / "ablation_lambda", base, tables


def _runs(folder: Path) -> dict[str, int]:
    """Tune trial folders per Tune run: the trials each run scheduled."""
    return {
        run.name: sum(1 for p in run.iterdir() if p.is_dir())
        for run in sorted((folder / "tune").iterdir())
    }


def test_add_seeds_runs_only_the_new_seeds(grown):
    folder, _, (first, seeded, _) = grown
    assert sorted(seeded["seed"]) == [0, 0, 1, 1] and set(seeded["status"]) == {"ok"}
    kept = seeded.set_index("trial_id").loc[first["trial_id"]]
    # the first trials were not run again: same rows, same run, same start
    assert list(kept["started_at"]) == list(first["started_at"])
    assert set(kept["run"]) == {"grid"}
    new = seeded[~seeded["trial_id"].isin(first["trial_id"])]
    assert set(new["seed"]) == {1} and set(new["run"]) == {"grid-2"} and len(new) == 2
    assert _runs(folder)["grid-2"] == 2  # Tune scheduled the new trials alone


def test_extend_adds_an_axis_value_and_runs_only_its_trials(grown):
    folder, _, (_, seeded, extended) = grown
    assert sorted(set(extended["lambda_loss"])) == [0.0, 10.0, 100.0] and len(extended) == 6
    kept = extended.set_index("trial_id").loc[seeded["trial_id"]]
    assert list(kept["started_at"]) == list(seeded["started_at"])
    new = extended[~extended["trial_id"].isin(seeded["trial_id"])]
    assert set(new["lambda_loss"]) == {100.0} and set(new["run"]) == {"grid-3"}
    assert _runs(folder) == {"grid": 2, "grid-2": 2, "grid-3": 2}
    settings = (folder / "config.yaml").read_text()
    assert "seed_list: [0, 1]" in settings and "lambdas: [0.0, 10.0, 100.0]" in settings


def test_a_grid_that_drops_trials_is_refused(grown, study, capsys):
    folder, base, _ = grown
    argv = [*base, "--lambdas", "0", "10", "--seed-list", "0", "1", "--extend"]
    assert study("ablation_lambda.py", argv) == 2
    assert "flags drop 2 of its 6" in capsys.readouterr().err
    # --resume with more trials than stored: refused, and told about --extend
    argv = [*base, "--lambdas", "0", "10", "100", "1000", "--seed-list", "0", "1", "--resume"]
    assert study("ablation_lambda.py", argv) == 2
    assert "pass --extend" in capsys.readouterr().err


def test_resuming_a_finished_study_does_nothing_without_ray(grown, study, monkeypatch, capsys):
    folder, base, (*_, extended) = grown
    argv = [*base, "--lambdas", "0", "10", "100", "--seed-list", "0", "1", "--resume"]

    def refuse(*args, **kwargs):
        raise AssertionError("Ray must not start")

    with monkeypatch.context() as m:
        m.setattr(runner, "ray_session", refuse)
        started = time.monotonic()
        assert study("ablation_lambda.py", argv) == 0
        assert time.monotonic() - started < 2
        assert "nothing to do: all 6 trials" in capsys.readouterr().out
    # as a command: neither Ray nor torch is imported (torch alone took 2.5 s), and no Ray
    # session appears in a fresh RAY_TMPDIR
    ray_tmp = folder.parent / "ray-tmp"
    ray_tmp.mkdir()
    env = {**os.environ, "RAY_TMPDIR": str(ray_tmp), "TMPDIR": str(ray_tmp)}
    script = str(ROOT / "studies" / "ablation_lambda.py")
    code = (
        "import runpy, sys\n"
        f"sys.argv = [{script!r}, *{argv!r}]\n"
        "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as done:\n    print('exit', done.code)\n"
        "print('imported', 'torch' in sys.modules, 'ray' in sys.modules)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)  # fmt: skip
    elapsed = time.monotonic() - started
    assert "nothing to do" in done.stdout and "exit 0" in done.stdout, done.stderr
    assert "imported False False" in done.stdout
    assert not any(ray_tmp.iterdir())
    assert elapsed < 5, elapsed  # 1.2 to 1.5 s at a load of 10 on 2 cores
    assert read_table(folder, "trials").equals(extended)
