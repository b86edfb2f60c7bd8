import pytest

from gwin.config import PRESET_VALUES, TrialConfig, setting_text
from gwin.errors import GwinError


@pytest.mark.parametrize(
    "override, fragment",
    [
        ({"tau_star": 1.5}, "tau_star must be in [0, 1]"),
        ({"tau_star": -0.1}, "tau_star must be in [0, 1]"),
        ({"taus": (0.5, 1.2)}, "every tau must be in [0, 1]"),
        ({"lambda_loss": -1.0}, "lambda_loss must be >= 0"),
        ({"lambda_gp": -0.5}, "lambda_gp must be >= 0"),
        ({"dataset": "cifar"}, "unknown dataset 'cifar'"),
        ({"classifier": "resnet"}, "unknown classifier 'resnet'"),
        ({"iterations": 0}, "iterations must be >= 1"),
        ({"lr_g": 0.0}, "lr_g must be > 0"),
        ({"beta2": 1.0}, "beta2 must be in [0, 1)"),
        ({"corruptions": ("snow",)}, "unknown corruption"),
        ({"device": "tpu"}, "unknown device"),
    ],
)
def test_invalid_values_are_rejected_with_one_line(override, fragment):
    with pytest.raises(GwinError) as err:
        TrialConfig.from_preset("smoke", **override)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_preset_and_field():
    with pytest.raises(GwinError, match="unknown preset"):
        TrialConfig.from_preset("huge")
    with pytest.raises(GwinError, match="unknown config field"):
        TrialConfig.from_preset("smoke", lambda_los=1.0)


def test_paper_preset_is_the_paper():
    c = TrialConfig.from_preset("paper", dataset="fashion_mnist")
    assert (c.lambda_gp, c.lambda_loss, c.n_critic) == (10.0, 10.0, 5)
    assert (c.lr_g, c.lr_d, c.beta1, c.beta2) == (1e-4, 1e-4, 0.5, 0.9)
    assert (c.batch_size, c.iterations, c.z_dim, c.dim) == (128, 200_000, 128, 64)
    assert (c.tau_star, c.mc_samples, c.clf_epochs, c.clf_lr) == (0.95, 10, 30, 1e-3)
    assert c.generator == "dcgan" and set(PRESET_VALUES["paper"]) == {"corruptions"}


def test_overrides_beat_presets_and_none_is_ignored():
    c = TrialConfig.from_preset("cpu", lambda_loss=3.0, iterations=None)
    assert c.lambda_loss == 3.0 and c.iterations == PRESET_VALUES["cpu"]["iterations"]


def test_trial_key_ignores_runtime_fields_only():
    a = TrialConfig.from_preset("smoke")
    assert a.trial_key() == a.replace(device="cpu", data_dir="/x", cache_dir="/y").trial_key()
    assert a.trial_key() != a.replace(seed=1).trial_key()
    assert a.trial_key() != a.replace(lambda_loss=1.0).trial_key()


def test_classifier_seed_defaults_to_seed():
    assert TrialConfig.from_preset("smoke", seed=3).effective_classifier_seed == 3
    assert (
        TrialConfig.from_preset("smoke", seed=3, classifier_seed=0).effective_classifier_seed == 0
    )


def test_paper_preset_needs_a_paper_dataset():
    with pytest.raises(GwinError, match="paper preset is for the paper's datasets, not 'digits'"):
        TrialConfig.from_preset("paper")
    assert TrialConfig.from_preset("paper", dataset="mnist").dataset == "mnist"


def test_critic_off_needs_the_transformation_penalty():
    assert not TrialConfig.from_preset("smoke", use_critic=False).use_critic
    assert TrialConfig.from_preset("smoke", lambda_loss=0.0).lambda_loss == 0.0
    with pytest.raises(GwinError, match="without a loss"):
        TrialConfig.from_preset("smoke", use_critic=False, lambda_loss=0.0)


def test_a_setting_prints_the_same_in_help_texts_and_reports():
    assert setting_text(None, "confident_pool") == "all"  # a missing limit is no limit
    assert setting_text(None, "device") == "none"
    assert setting_text(10.0) == "10" and setting_text(1e-4) == "0.0001"
    assert setting_text((0.5, 0.8)) == "0.5 0.8" and setting_text(()) == "none"
    assert setting_text("residual") == "residual" and setting_text(64) == "64"
