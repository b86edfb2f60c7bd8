import pytest

from gwin import names
from gwin.corruptions import CORRUPTIONS
from gwin.models.gwin_nets import GENERATORS
from gwin.models.registry import CLASSIFIERS
from tests.fresh_import import loaded_by


def test_config_and_flags_import_without_torch():
    settings = ["gwin.config", "gwin.config_flags", "gwin.presets", "gwin.names"]
    assert loaded_by(settings, ["torch"]) == []


def test_registries_are_the_declared_names_in_order():
    assert tuple(CLASSIFIERS) == names.CLASSIFIERS
    assert tuple(GENERATORS) == names.GENERATORS
    assert tuple(CORRUPTIONS) == names.CORRUPTIONS


def test_a_registry_that_drifts_from_its_names_fails_in_one_line():
    with pytest.raises(RuntimeError, match=r"add or remove the name in both places"):
        names.check_registry("GENERATORS", ("dcgan", "residual"), ["dcgan"])
    names.check_registry("GENERATORS", ("dcgan", "residual"), ["dcgan", "residual"])
