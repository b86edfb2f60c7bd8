"""A model folder is input (gwin.model.load_model_folder): model.json is checked against its
schema, with size caps, before anything is allocated, and the weights must be regular files
of a plausible size inside the folder. Anything else is one GwinError line, never a
traceback, a hang or a 40 GB allocation.

In process, on a model of untrained nets (tests/test_bad_input_models.make_trial).
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwin.errors import GwinError
from gwin.model import load_model_folder
from gwin.store.location import Folder
from tests.test_bad_input_models import alarm, make_trial


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return make_trial(tmp_path_factory.mktemp("trial")) / "model"


@pytest.fixture
def folder(good, tmp_path):
    shutil.copytree(good, tmp_path / "model")
    return tmp_path / "model"


@pytest.fixture(autouse=True)
def no_hang():
    with alarm(120):  # a load that blocks (reading a FIFO) fails instead of hanging the run
        yield


def _load(path):
    return load_model_folder(Folder.at(path))


def _edit(folder, edit) -> None:
    meta = json.loads((folder / "model.json").read_text())
    edit(meta)
    (folder / "model.json").write_text(json.dumps(meta))


def test_the_good_folder_loads(folder):
    assert _load(folder).meta["trial_id"] == "t"


def test_a_huge_dimension_is_refused_before_any_allocation(folder, monkeypatch):
    def build(*args, **kwargs):
        raise AssertionError("built a network from an unchecked model.json")

    monkeypatch.setattr("gwin.models.gwin_nets.build_generator", build)
    monkeypatch.setattr("gwin.models.registry.build_classifier", build)
    _edit(folder, lambda m: m["generator"].update(dim=200_000))
    with pytest.raises(GwinError, match=r"generator.dim must be an integer in \[1, 512\]"):
        _load(folder)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m.pop("classifier"), "lacks 'classifier'"),
    (lambda m: m.update(num_classes="10"), "num_classes must be an integer"),
    (lambda m: m.update(num_classes=True), "num_classes must be an integer"),
    (lambda m: m.update(mc_samples=2.5), "mc_samples must be an integer"),
    (lambda m: m.update(sha256=None), "sha256 must be an object"),
    (lambda m: m["sha256"].update({"generator.pt": 7}), "sha256.generator.pt must be"),
    (lambda m: m["classifier"].update(options={"members": 10**9}), "classifier.options"),
    (lambda m: m["classifier"].update(options={"evil": 1}), "classifier.options"),
    (lambda m: m["classifier"].update(name=["lenet5"]), "classifier.name must be one of"),
    (lambda m: m.update(config="x"), "config must be an object"),
])  # fmt: skip
def test_a_damaged_model_json_is_one_line(folder, edit, message):
    _edit(folder, edit)
    with pytest.raises(GwinError, match=message.replace(".", r"\.")) as err:
        _load(folder)
    assert "\n" not in str(err.value) and "model.json" in str(err.value)


def test_weights_that_do_not_fit_the_architecture_are_one_line(folder):
    _edit(folder, lambda m: m["generator"].update(dim=m["generator"]["dim"] * 2))
    with pytest.raises(GwinError, match="does not fit the generator model.json describes"):
        _load(folder)


def test_a_fifo_or_a_link_is_refused_not_read(folder, tmp_path):
    weights = folder / "generator.pt"
    weights.unlink()
    os.mkfifo(weights)
    with pytest.raises(GwinError, match="generator.pt is not a regular file"):
        _load(folder)
    weights.unlink()
    weights.symlink_to("/dev/zero")
    with pytest.raises(GwinError, match="generator.pt is a symbolic link"):
        _load(folder)
    weights.unlink()
    (tmp_path / "elsewhere").mkdir()
    shutil.move(folder / "model.json", tmp_path / "elsewhere" / "model.json")
    (folder / "model.json").symlink_to(tmp_path / "elsewhere" / "model.json")
    with pytest.raises(GwinError, match="model.json is a symbolic link"):
        _load(folder)


def test_oversized_files_are_refused_unread(folder, monkeypatch):
    import gwin.model_folder as mf

    monkeypatch.setattr(mf, "MAX_WEIGHTS_BYTES", 1000)
    with pytest.raises(GwinError, match="classifier.pt is .* bytes; a gwin model's weights"):
        _load(folder)
    with open(folder / "model.json", "a") as f:
        f.write(" " * (mf.MAX_JSON_BYTES + 1))
    with pytest.raises(GwinError, match="model.json is .* bytes"):
        _load(folder)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip
FIELDS = ["format", "trial_id", "num_classes", "classifier", "classifier.name",
          "classifier.options", "generator", "generator.name", "generator.dim",
          "generator.z_dim", "mc_samples", "tau_star", "default_tau", "config", "sha256",
          "sha256.classifier.pt", "gwin_version"]  # fmt: skip
NEAR = st.sampled_from([0, 1, 2, -1, 10, 513, 200_000, 10**12, 0.5, float("nan"), "10", None])


@settings(max_examples=60, deadline=30_000, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(field=st.sampled_from(FIELDS), value=JSON | NEAR, drop=st.booleans())
def test_fuzz_model_json_fields(good, tmp_path, field, value, drop, one_thread):
    """Any value (or none) in any field: a GWIN that predicts, or one GwinError line."""
    folder = tmp_path / "fuzz"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(good, folder)

    def edit(meta):
        head, _, tail = field.partition(".")
        target, key = (meta, head) if not tail else (meta[head], tail)
        if drop:
            target.pop(key, None)
        else:
            target[key] = value

    _edit(folder, edit)
    try:
        model = _load(folder)
    except GwinError as err:
        assert "\n" not in str(err)
        return
    import numpy as np

    out = model.predict(np.zeros((1, 28, 28), np.float32), seed=0)
    assert len(out.final_label) == 1


def test_a_subprocess_load_of_a_bad_folder_is_one_line(good, tmp_path):
    """gwin.load from a fresh interpreter: the one line, no traceback, no hang."""
    import subprocess
    import sys

    trial = tmp_path / "trial"
    shutil.copytree(good.parent, trial)
    _edit(trial / "model", lambda m: m["generator"].update(z_dim="many"))
    code = f"import gwin; gwin.load({str(trial)!r})"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "GwinError" in run.stderr and "generator.z_dim must be an integer" in run.stderr
