"""Study flags: the dry run, and bad input failing fast with one line, all without Ray."""

import re
import socket

import pytest
import yaml

from gwin.config import TrialConfig
from gwin.errors import GwinError
from gwin.studies import STUDIES as STUDY_NAMES
from gwin.tune import runner
from gwin.tune.address import check_address
from gwin.tune.plan import seeds_from


@pytest.fixture
def no_ray(monkeypatch):
    def refuse(args):
        raise AssertionError("Ray must not start")

    monkeypatch.setattr(runner, "ray_session", refuse)


def test_dry_run_prints_the_grid_and_resources_and_starts_nothing(no_ray, study, tmp_path, capsys):
    argv = ["--dry-run", "--storage", str(tmp_path), "--lambdas", "0", "10", "--seeds", "2"]
    assert study("ablation_lambda.py", argv) == 0
    out = capsys.readouterr().out
    # 1 dataset x 2 lambdas x 2 seeds, each with the id its TrialConfig hashes to
    for lam in (0.0, 10.0):
        for seed in (0, 1):
            cfg = TrialConfig.from_preset(
                "smoke", dataset="digits", lambda_loss=lam, seed=seed, tau_star=0.95
            )
            assert cfg.trial_key() in out
    assert "dataset (1) x lambda_loss (2) x seed (2)" in out
    assert "each trial asks for 1 CPU and 0 GPU" in out
    assert not any(tmp_path.iterdir())  # a dry run writes nothing


def test_component_variants_are_one_axis_of_named_overrides(no_ray, study, tmp_path, capsys):
    argv = ["--dry-run", "--storage", str(tmp_path), "--seeds", "2"]
    assert study("ablation_components.py", argv) == 0
    out = capsys.readouterr().out
    assert "dataset (1) x variant (3) x seed (2)" in out
    for overrides in (
        {"use_critic": True, "lambda_loss": 10.0},
        {"use_critic": False, "lambda_loss": 10.0},
        {"use_critic": True, "lambda_loss": 0.0},
    ):
        for seed in (0, 1):
            cfg = TrialConfig.from_preset(
                "smoke", dataset="digits", seed=seed, tau_star=0.95, **overrides
            )
            assert cfg.trial_key() in out
    # the study owns the fields its variants set: no flag may override them
    assert study("ablation_components.py", [*argv, "--lambda-loss", "1"]) == 2


def test_seeds_are_a_count_or_a_list():
    assert seeds_from([3]) == [0, 1, 2]
    assert seeds_from([0, 1, 5]) == [0, 1, 5]
    with pytest.raises(GwinError):
        seeds_from([0])
    with pytest.raises(GwinError):
        seeds_from([1, 1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_address_must_be_host_port():
    with pytest.raises(GwinError, match="not host:port"):
        check_address("localhost")
    check_address("auto")  # left to ray.init


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--datasets", "nope"], "unknown dataset 'nope'"),
        (["--lambdas", "-1", "1"], "lambda_loss must be >= 0"),
        (["--seeds", "0"], "must be >= 1"),
        (["--cpus-per-trial", "0"], "--cpus-per-trial must be > 0"),
        (["--gpus-per-trial", "0.5"], "CUDA is not available"),
        # used to zero --gpus-per-trial behind the user's back; now the user decides
        (["--gpus-per-trial", "0.5", "--device", "cpu"], "pass --gpus-per-trial 0 to run"),
        (["--no-such-flag"], "unrecognized arguments"),
        (["--address", "ADDRESS"], "cannot reach a Ray cluster at 127.0.0.1:"),
        (["--storage", "FILE/runs"], "cannot write to "),
    ],
)
def test_bad_input_fails_fast_with_one_line(no_ray, study, tmp_path, capsys, extra, message):
    if "--gpus-per-trial" in extra:
        pytest.importorskip("torch").cuda.is_available() and pytest.skip("CUDA present")
    (tmp_path / "FILE").write_text("a file, so no folder can be made under it")
    extra = [e.replace("ADDRESS", f"127.0.0.1:{_closed_port()}") for e in extra]
    extra = [str(tmp_path / e) if e.startswith("FILE") else e for e in extra]
    argv = ["--storage", str(tmp_path / "runs"), *extra]
    assert study("ablation_lambda.py", argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err


def test_an_existing_study_needs_resume_or_another_name(no_ray, study, tmp_path, capsys):
    (tmp_path / "ablation_lambda" / "tune").mkdir(parents=True)
    assert study("ablation_lambda.py", ["--storage", str(tmp_path)]) == 2
    assert "pass --resume" in capsys.readouterr().err


def test_resume_with_another_grid_is_refused(no_ray, study, tmp_path, capsys):
    (tmp_path / "ablation_lambda" / "trial_outputs" / "0123456789ab").mkdir(parents=True)
    assert study("ablation_lambda.py", ["--storage", str(tmp_path), "--resume"]) == 2
    assert "original flags" in capsys.readouterr().err


@pytest.mark.parametrize("script", [f"{name}.py" for name in STUDY_NAMES])  # a new one too
def test_every_study_has_a_dry_run(no_ray, study, tmp_path, capsys, script):
    assert study(script, ["--dry-run", "--storage", str(tmp_path)]) == 0
    assert "resources: each trial asks for" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("script", "axis", "values", "shown"),
    [
        ("ablation_tau_star.py", "--tau-stars", ["0.5"], "x tau_star (1)"),
        ("classifier_variants.py", "--classifiers", ["lenet5", "bcnn"], "x classifier (2)"),
    ],
)
def test_an_axis_flag_replaces_its_axis(no_ray, study, tmp_path, capsys, script, axis, values,
                                       shown):  # fmt: skip
    argv = ["--dry-run", "--storage", str(tmp_path), "--seeds", "1", axis, *values]
    assert study(script, argv) == 0
    assert shown in capsys.readouterr().out
    assert study("classifier_variants.py", [*argv[:5], "--classifiers", "lenet6"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: unknown classifier 'lenet6'; choose one of lenet5, bcnn, "
                   "lenet5_dropout, lenet5_ensemble, lenet5_softmax"]  # fmt: skip


def test_seed_list_runs_exactly_those_seeds(no_ray, study, tmp_path, capsys):
    argv = ["--dry-run", "--storage", str(tmp_path), "--lambdas", "10", "--seed-list", "7"]
    assert study("ablation_lambda.py", argv) == 0
    out = capsys.readouterr().out
    cfg = TrialConfig.from_preset(
        "smoke", dataset="digits", lambda_loss=10.0, seed=7, tau_star=0.95
    )
    assert cfg.trial_key() in out and "x seed (1)" in out


def test_variants_flag_picks_variants(no_ray, study, tmp_path, capsys):
    argv = ["--dry-run", "--storage", str(tmp_path), "--seeds", "1", "--variants", "bcnn"]
    assert study("budget_curve.py", argv) == 0
    out = capsys.readouterr().out
    assert "variant (1)" in out and "bcnn" in out and "lenet5_softmax" not in out.split("every")[0]


def _trial_ids(dry_run: str) -> set[str]:
    return set(re.findall(r"^\s*([0-9a-f]{12})\s", dry_run, flags=re.M))


def test_a_study_config_file_round_trips_to_the_same_grid(no_ray, study, tmp_path, capsys):
    """--print-config, then --config FILE --dry-run: the same trials; flags beat the file."""
    argv = ["--storage", str(tmp_path), "--lambdas", "0", "10", "--seed-list", "3", "5",
            "--iterations", "40"]  # fmt: skip
    assert study("ablation_lambda.py", [*argv, "--dry-run"]) == 0
    by_flags = capsys.readouterr().out
    assert study("ablation_lambda.py", [*argv, "--print-config"]) == 0
    text = capsys.readouterr().out
    settings = yaml.safe_load(text)
    assert settings["command"] == "study ablation_lambda"
    assert settings["lambdas"] == [0.0, 10.0] and settings["seed_list"] == [3, 5]
    assert "seeds" not in settings  # --seed-list replaced it
    path = tmp_path / "study.yaml"
    path.write_text(text)
    assert study("ablation_lambda.py", ["--config", str(path), "--dry-run"]) == 0
    # the same trial ids: every trial computes the same thing (the file spells out what the
    # preset gave, so the description of shared settings is longer)
    assert _trial_ids(capsys.readouterr().out) == _trial_ids(by_flags)
    assert len(_trial_ids(by_flags)) == 4
    assert (
        study("ablation_lambda.py", ["--config", str(path), "--seed-list", "3", "--dry-run"]) == 0
    )
    assert "seed (1)" in capsys.readouterr().out
    # a file made for another study is refused in one line
    assert study("ablation_components.py", ["--config", str(path), "--dry-run"]) == 2
    assert "is for `gwin study ablation_lambda`" in capsys.readouterr().err
