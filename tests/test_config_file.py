"""Config files (gwin.config_file): --print-config then --config gives the same settings, flags
win over the file, and a bad file is one line naming the file, the setting and the fix."""

import pytest
import yaml

from gwin.cli import trial_main
from gwin.config import TrialConfig, config_from_args
from gwin.config_file import add_config_file_flags, parse_with_config
from gwin.config_flags import add_config_flags
from gwin.errors import GwinError, OneLineParser

FLAGS = ["--preset", "cpu", "--dataset", "fashion_mnist", "--lambda-loss", "3", "--taus", "0.5",
         "0.8", "--no-use-critic", "--corruptions", "rotate", "--seed", "7"]  # fmt: skip


def _config(argv: list[str]) -> TrialConfig:
    parser = OneLineParser()
    add_config_flags(parser)
    add_config_file_flags(parser)
    return config_from_args(parse_with_config(parser, argv, "trial"))


def _printed(capsys, argv: list[str]) -> str:
    assert trial_main([*argv, "--print-config"]) == 0
    return capsys.readouterr().out


def test_print_config_then_config_is_the_same_trial(capsys, tmp_path):
    text = _printed(capsys, FLAGS)
    settings = yaml.safe_load(text)
    # every setting resolved: the preset's values are written out, not left to the preset
    assert settings["command"] == "trial" and settings["iterations"] == 6000
    assert settings["lambda_loss"] == 3.0 and settings["use_critic"] is False
    assert settings["taus"] == [0.5, 0.8] and settings["corruptions"] == ["rotate"]
    path = tmp_path / "trial.yaml"
    path.write_text(text)
    assert _config(["--config", str(path)]) == _config(FLAGS)
    assert _config(["--config", str(path)]).trial_key() == _config(FLAGS).trial_key()
    assert _printed(capsys, ["--config", str(path)]) == text


def test_flags_override_the_file_and_an_empty_list_is_kept(tmp_path):
    path = tmp_path / "trial.yaml"
    path.write_text("preset: cpu\nlambda_loss: 3\ncorruptions: []\n")
    cfg = _config(["--config", str(path), "--lambda-loss", "5"])
    assert cfg.lambda_loss == 5.0 and cfg.preset == "cpu"
    # the smoke preset evaluates two corruptions; a file can ask for none, which no flag can
    path.write_text("corruptions: []\n")
    assert _config(["--config", str(path)]).corruptions == ()
    assert TrialConfig.from_preset("smoke").corruptions != ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("lamda_loss: 3\n", "unknown setting 'lamda_loss'; did you mean 'lambda_loss'?"),
        ("taus: 0.5\n", "taus: expected a list, e.g. [0.5], got 0.5"),
        ("iterations: 10.5\n", "iterations: expected a whole number, got 10.5"),
        ("lambda_loss: ten\n", "lambda_loss: expected a number, got 'ten'"),
        ("use_critic: 1\n", "use_critic: expected true or false, got 1"),
        ("classifier: foo\n", "classifier: unknown value 'foo'; choose one of lenet5, bcnn"),
        ("corruptions: [blizzard]\n", "corruptions: unknown value 'blizzard'; choose one of"),
        ("- 1\n- 2\n", "expected a mapping of settings"),
        ("taus: [\n", "not valid YAML at line 2"),
        (
            "command: study ablation_lambda\n",
            "is for `gwin study ablation_lambda`, not",
        ),
    ],
)
def test_a_bad_file_is_one_line(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(GwinError) as err:
        _config(["--config", str(path)])
    assert message in str(err.value) and str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(GwinError, match="cannot read it"):
        _config(["--config", str(tmp_path / "none.yaml")])


def test_all_lifts_a_presets_limit_from_a_flag_and_from_a_file(capsys, tmp_path):
    """`cpu` builds P_c from 10k inputs; None cannot lift that (None means "the preset's"), so
    a limit field takes `all`. The printed config keeps it, and reads back as the same trial."""
    assert _config(["--preset", "cpu"]).confident_pool == 10_000
    flags = ["--preset", "cpu", "--confident-pool", "all", "--val-limit", "all"]
    cfg = _config(flags)
    assert (cfg.confident_pool, cfg.val_limit) == (None, None)
    assert cfg.trial_key() != _config(["--preset", "cpu"]).trial_key()  # another trial
    text = _printed(capsys, flags)
    assert yaml.safe_load(text)["confident_pool"] == "all"
    path = tmp_path / "trial.yaml"
    path.write_text(text)
    assert _config(["--config", str(path)]) == cfg
    path.write_text("preset: cpu\nconfident_pool: many\n")
    with pytest.raises(GwinError, match="confident_pool: expected a whole number or all, got"):
        _config(["--config", str(path)])
    with pytest.raises(GwinError, match="--confident-pool: expected a whole number or all"):
        _config(["--preset", "cpu", "--confident-pool", "most"])
