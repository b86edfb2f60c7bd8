"""A trial's saved GWIN (gwin.model): it reproduces the trial, and bad files are refused."""

import json

import numpy as np
import pytest

import gwin
from gwin.data.datasets import load_dataset
from gwin.errors import GwinError
from gwin.method.rejection import REPORT_TAU
from gwin.method.trial_eval import stage_seed
from gwin.model import MODEL_DIR
from gwin.store.index import rebuild_index
from gwin.store.location import Folder
from gwin.store.trial_outputs import trial_folder, write_trial


@pytest.fixture(scope="module")
def trial_dir(tiny_trial, tmp_path_factory):
    out = tmp_path_factory.mktemp("trial")
    write_trial(Folder.at(out), tiny_trial)
    return out


def test_the_model_folder_holds_what_inference_needs_and_no_more(trial_dir, tiny_trial):
    files = sorted(p.name for p in (trial_dir / MODEL_DIR).iterdir())
    assert files == ["classifier.pt", "generator.pt", "model.json"]
    meta = json.loads((trial_dir / MODEL_DIR / "model.json").read_text())
    assert meta["config"] == tiny_cfg_identity(tiny_trial)
    assert meta["mc_samples"] == tiny_trial.record["mc_samples"] and meta["default_tau"] == 0.8
    assert tiny_trial.record["model_dir"] == MODEL_DIR


def tiny_cfg_identity(result) -> dict:
    return json.loads(result.record["config_json"])


def test_a_loaded_model_reproduces_the_trials_test_predictions_exactly(trial_dir, tiny_trial):
    model = gwin.load(trial_dir)
    test = load_dataset("digits").test
    seed = stage_seed(tiny_trial.record["seed"], "eval:test:none")
    out = model.predict(test.x, seed=seed, labels=test.y, identity=True)
    p = tiny_trial.predictions
    stored = p[(p["split"] == "test") & (p["corruption"] == "none")].reset_index(drop=True)
    for column in stored.columns[5:]:
        np.testing.assert_array_equal(out.columns[column], stored[column].to_numpy(), column)
    # Figure 1: rejected inputs get C(G(x, z))'s label, the others keep C's
    rejected = stored["bnn_certainty"].to_numpy() < REPORT_TAU
    np.testing.assert_array_equal(out.rejected, rejected)
    final = np.where(rejected, stored["gwin_pred"], stored["bnn_pred"])
    np.testing.assert_array_equal(out.final_label, final)
    assert out.transformed.shape == (rejected.sum(), 28, 28)
    # the same seed gives the same answer; numpy input works as a tensor does
    again = model.predict(test.x.numpy(), seed=seed, labels=test.y, identity=True)
    np.testing.assert_array_equal(again.final_label, out.final_label)


def test_inference_without_labels_or_baseline(trial_dir):
    model = gwin.load(trial_dir)
    x = load_dataset("digits").test.x[:40]
    out = model.predict(x, tau=1.0, seed=3)  # everything rejected
    assert out.rejected.all() and (out.final_label == out.gwin_label).all()
    assert "identity_pred" not in out.columns and "label" not in out.columns
    frame = out.frame()
    assert list(frame.columns[:2]) == ["bnn_pred", "bnn_certainty"] and len(frame) == 40
    assert model.classifier is not None and model.config["dataset"] == "digits"


def test_bad_inputs_and_damaged_files_are_refused_in_one_line(trial_dir, tmp_path):
    import shutil

    model = gwin.load(trial_dir)
    for bad, message in ((np.zeros((2, 32, 32)), "28x28"), (np.full((1, 28, 28), 255.0), "[0, 1]")):
        with pytest.raises(GwinError, match=message.replace("[", r"\[")):
            model.predict(bad)
    copy = tmp_path / "copy"
    shutil.copytree(trial_dir, copy)
    weights = copy / MODEL_DIR / "generator.pt"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(GwinError, match="does not match its SHA-256") as err:
        gwin.load(copy)
    assert "\n" not in str(err.value)
    meta = copy / MODEL_DIR / "model.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "format": 99}))
    with pytest.raises(GwinError, match="model format 99"):
        gwin.load(copy)
    (copy / MODEL_DIR / "model.json").unlink()
    with pytest.raises(GwinError, match="model.json is missing"):
        gwin.load(copy)


def test_a_study_needs_the_trial_id_when_it_holds_several(tiny_trial, tmp_path):
    study = Folder.at(tmp_path / "study")
    write_trial(trial_folder(study, tiny_trial.record["trial_id"]), tiny_trial)
    rebuild_index(study)
    assert gwin.load(study.location).meta["trial_id"] == tiny_trial.record["trial_id"]
    other = {**tiny_trial.record, "trial_id": "other"}
    write_trial(trial_folder(study, "other"), type(tiny_trial)(other, tiny_trial.predictions,
                tiny_trial.examples, tiny_trial.history, tiny_trial.model))  # fmt: skip
    rebuild_index(study)
    with pytest.raises(GwinError, match="holds 2 ok trials; pass the trial id"):
        gwin.load(study.location)
    assert gwin.load(study.location, "other") is not None
    with pytest.raises(GwinError, match="no ok trial 'nope'"):
        gwin.load(study.location, "nope")
