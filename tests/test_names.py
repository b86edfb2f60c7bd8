import subprocess
import sys

import pytest

from gwin import names
from gwin.corruptions import CORRUPTIONS
from gwin.models.gwin_nets import GENERATORS
from gwin.models.registry import CLASSIFIERS


def test_config_and_flags_import_without_torch():
    code = (
        "import sys, gwin.config, gwin.config_flags, gwin.presets, gwin.names; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_registries_are_the_declared_names_in_order():
    assert tuple(CLASSIFIERS) == names.CLASSIFIERS
    assert tuple(GENERATORS) == names.GENERATORS
    assert tuple(CORRUPTIONS) == names.CORRUPTIONS


def test_a_registry_that_drifts_from_its_names_fails_in_one_line():
    with pytest.raises(RuntimeError, match=r"add or remove the name in both places"):
        names.check_registry("GENERATORS", ("dcgan", "residual"), ["dcgan"])
    names.check_registry("GENERATORS", ("dcgan", "residual"), ["dcgan", "residual"])
