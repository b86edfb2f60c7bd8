"""gwin sweep: a grid over any TrialConfig fields from flags or a YAML spec, on the study
machinery (its dry run starts no Ray)."""

import re

import pytest

from gwin.config import TrialConfig
from gwin.console import main as gwin
from gwin.tune import runner


@pytest.fixture
def no_ray(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Ray must not start")

    monkeypatch.setattr(runner, "ray_session", refuse)


def _ids(out: str) -> set[str]:
    return set(re.findall(r"^\s*([0-9a-f]{12})\s", out, flags=re.M))


def _expected(grid: list[dict], seeds: list[int]) -> set[str]:
    return {
        TrialConfig.from_preset("smoke", dataset="digits", seed=s, **point).trial_key()
        for point in grid
        for s in seeds
    }


def test_sweep_flags_dry_run_prints_the_trial_table(no_ray, tmp_path, capsys):
    argv = ["sweep", "--storage", str(tmp_path), "--grid", "lambda_loss=0,10",
            "classifier=lenet5,bcnn", "--seeds", "2", "--dry-run"]  # fmt: skip
    assert gwin(argv) == 0
    out = capsys.readouterr().out
    assert (
        "study sweep: 8 trials = dataset (1) x lambda_loss (2) x classifier (2) x seed (2)" in out
    )
    grid = [
        {"lambda_loss": lam, "classifier": c} for lam in (0.0, 10.0) for c in ("lenet5", "bcnn")
    ]
    assert _ids(out) == _expected(grid, [0, 1])
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("seeds", "expected"), [("seeds: 3", [0, 1, 2]), ("seed_list: [2, 5]", [2, 5])]
)
def test_sweep_spec_gives_the_grid_and_seeds(no_ray, tmp_path, capsys, seeds, expected):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"grid:\n  n_critic: [2, 5]\n  tau_star: 0.9\n{seeds}\niterations: 40\n")
    assert gwin(["sweep", "--spec", str(spec), "--storage", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    grid = [{"n_critic": n, "tau_star": 0.9, "iterations": 40} for n in (2, 5)]
    assert _ids(out) == _expected(grid, expected)
    # a flag's axis beats the spec's
    argv = ["sweep", "--spec", str(spec), "--grid", "n_critic=3", "--storage", str(tmp_path),
            "--dry-run"]  # fmt: skip
    assert gwin(argv) == 0
    grid = [{"n_critic": 3, "tau_star": 0.9, "iterations": 40}]
    assert _ids(capsys.readouterr().out) == _expected(grid, expected)


@pytest.mark.parametrize(
    ("args", "spec", "message"),
    [
        (["--grid", "lambda_loss"], None, "expected FIELD=V1,V2"),
        (["--grid", "no_such=1"], None, "'no_such' is no TrialConfig field"),
        (["--grid", "seed=1,2"], None, "set it with --seeds or --seed-list"),
        (["--grid", "lambda_loss=x"], None, "expected a number"),
        (["--grid", "lambda_loss=-1"], None, "lambda_loss must be >= 0"),
        ([], "grid: [1, 2]\n", "'grid' must map fields"),
        ([], "grid: {}\nseeds: 0\n", "must be >= 1"),
        ([], "grid: {}\nno_such: 1\n", "--spec SPEC: unknown setting 'no_such'"),
    ],
)
def test_bad_sweep_input_is_one_line(no_ray, tmp_path, capsys, args, spec, message):
    if spec is not None:
        (tmp_path / "s.yaml").write_text(spec)
        args = [*args, "--spec", str(tmp_path / "s.yaml")]
    assert gwin(["sweep", "--storage", str(tmp_path / "runs"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    message = message.replace("SPEC", str(tmp_path / "s.yaml"))
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert not (tmp_path / "runs").exists()
