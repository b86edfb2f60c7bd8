"""The results schema (version stamp, types, config columns) and the one trial writer, locally."""

import argparse
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gwin.config import TrialConfig
from gwin.errors import GwinError
from gwin.store.index import rebuild_index
from gwin.store.location import Folder, write_json
from gwin.store.reader import read_table
from gwin.store.schema import (
    PREDICTION_TYPES,
    SCHEMA_VERSION,
    VERSION_KEY,
    to_arrow,
)
from gwin.store.trial_outputs import (
    OUTPUT_FILES,
    read_parquet,
    read_trial,
    record_error,
    trial_folder,
    write_trial,
)
from gwin.store.trials_table import config_values
from gwin.tune.driver_callback import failed_trial
from gwin.tune.plan_file import PLAN_FILE, check_same_plan
from tests.store.test_index import PARAMS, fake_result


def test_every_file_of_a_trial_carries_the_schema_version(tmp_path):
    tid, result = fake_result(PARAMS)
    out = Folder.at(tmp_path / "trial")
    write_trial(out, result)
    assert sorted(p.name for p in (tmp_path / "trial").iterdir()) == sorted(OUTPUT_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["trial"]  # no staging folder left behind
    for name in OUTPUT_FILES:
        metadata = pq.read_schema(tmp_path / "trial" / name).metadata
        assert metadata[VERSION_KEY] == str(SCHEMA_VERSION).encode()
    assert read_trial(out).record["trial_id"] == tid


def test_predictions_are_written_with_their_declared_types(tmp_path):
    _, result = fake_result(PARAMS)
    preds = result.predictions.astype({"index": "int32", "bnn_certainty": "float64"})
    table = to_arrow(preds, "predictions")
    for name, kind in PREDICTION_TYPES.items():
        assert table.schema.field(name).type == kind, name


def test_another_schema_version_is_refused_in_one_line(tmp_path):
    table = pa.table({"trial_id": ["a"]})
    pq.write_table(table, tmp_path / "v1.parquet")  # before versions: no key
    with pytest.raises(GwinError, match=r"schema v1, this gwin reads v3 .*; re-run it") as err:
        read_parquet(Folder.at(tmp_path), "v1.parquet")
    assert "\n" not in str(err.value)
    newer = table.replace_schema_metadata({VERSION_KEY: b"4"})
    pq.write_table(newer, tmp_path / "v4.parquet")
    with pytest.raises(GwinError, match=r"schema v4, this gwin reads v3 .*; upgrade gwin"):
        read_parquet(Folder.at(tmp_path), "v4.parquet")
    older = table.replace_schema_metadata({VERSION_KEY: b"2"})
    pq.write_table(older, tmp_path / "v2.parquet")
    with pytest.raises(GwinError, match=r"schema v2, .*python -m gwin.store.upgrade"):
        read_parquet(Folder.at(tmp_path), "v2.parquet")


def test_indexing_refuses_a_trial_written_by_another_version(tmp_path):
    study = Folder.at(tmp_path / "study")
    tid, result = fake_result(PARAMS)
    write_trial(trial_folder(study, tid), result)
    old = tmp_path / "study" / "trial_outputs" / tid / "trials.parquet"
    pq.write_table(pq.read_table(old).replace_schema_metadata(None), old)
    with pytest.raises(GwinError, match="holds results schema v1"):
        rebuild_index(study)


def test_a_later_success_replaces_the_error_row(tmp_path):
    study = Folder.at(tmp_path / "study")
    tid, result = fake_result(PARAMS)
    record_error(study, failed_trial("s", "grid", PARAMS, "RuntimeError: first try"))
    assert (tmp_path / "study" / "trial_outputs" / tid / "error.json").exists()
    write_trial(trial_folder(study, tid), result)
    assert not (tmp_path / "study" / "trial_outputs" / tid / "error.json").exists()
    rebuild_index(study)
    assert list(read_table(study, "trials")["status"]) == ["ok"]


def test_config_values_of_a_trials_row():
    cfg = TrialConfig.from_preset("smoke", seed=3, taus=[0.5, 0.8], corruptions=["rotate"])
    cols = config_values(cfg)
    assert cols["seed"] == 3 and cols["classifier_seed"] == 3  # None means "the trial seed"
    assert cols["taus"] == "[0.5, 0.8]" and cols["corruptions"] == '["rotate"]'
    assert json.loads(cols["config_json"]) == cfg.result_fields()
    assert config_values(cfg.replace(classifier_seed=7))["classifier_seed"] == 7


def test_a_resumed_search_must_be_the_stored_search(tmp_path):
    study = Folder.at(tmp_path / "search")
    search = {"space": {"lr_g": ["loguniform", 1e-4, 1e-2]}, "num_samples": 8, "seeds": [0, 1]}
    write_json(study.fs, study.path(PLAN_FILE), {"search": search})
    resume = argparse.Namespace(resume=True)
    check_same_plan(study, {"search": search}, resume)  # the same search: accepted
    for changed in ({"num_samples": 9}, {"seeds": [0, 1, 2]}, {"space": {}}):
        with pytest.raises(GwinError, match="--resume with other settings than the stored"):
            check_same_plan(study, {"search": {**search, **changed}}, resume)
