"""Consolidation of per-trial folders into STUDY/results: exact rows, no duplicates, errors."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gwin.config import config_from
from gwin.store.consolidate import consolidate
from gwin.store.location import Folder
from gwin.store.reader import read_table
from gwin.store.trial_outputs import record_error, trial_folder, write_trial
from gwin.tune.driver_callback import error_line, failed_trial
from gwin.tune.trainable import _progress

PARAMS = {"preset": "smoke", "dataset": "digits", "lambda_loss": 1.0, "seed": 0}


def fake_result(params, n_val=3, n_test=2):
    """A TrialResult-shaped object: one trials row, n_val + n_test predictions, one example."""
    cfg = config_from(params)
    tid = cfg.trial_key()
    record = {
        "trial_id": tid,
        "study": "s",
        **cfg.identity(),
        "n_confident": 5,
        "classifier_cache_hit": False,
        "status": "ok",
        "error": "",
    }
    record["taus"] = str(record["taus"])
    record["corruptions"] = str(record["corruptions"])
    rows = [("val", i) for i in range(n_val)] + [("test", i) for i in range(n_test)]
    preds = pd.DataFrame({
        "trial_id": tid, "split": [s for s, _ in rows], "corruption": "none",
        "index": [i for _, i in rows], "label": 1, "bnn_pred": 1, "bnn_certainty": 0.9,
        "bnn_gt_certainty": 0.9, "gwin_pred": 1, "gwin_certainty": 0.95,
        "gwin_gt_certainty": 0.95, "identity_pred": 1, "identity_certainty": 0.9,
        "identity_gt_certainty": 0.9,
    })  # fmt: skip
    examples = pd.DataFrame(
        {
            "trial_id": [tid],
            "index": [0],
            "label": [1],
            "image": [np.zeros(4, np.float32)],
            "transformed": [np.ones(4, np.float32)],
        }
    )
    return tid, SimpleNamespace(record=record, predictions=preds, examples=examples)


@pytest.fixture
def study_dir(tmp_path):
    return Folder.at(tmp_path / "study")


def test_ok_and_error_trials_are_consolidated_once_and_partitioned(study_dir):
    a, result_a = fake_result(PARAMS)
    b, result_b = fake_result({**PARAMS, "dataset": "mnist"}, n_val=4, n_test=4)
    write_trial(trial_folder(study_dir, a), result_a)
    write_trial(trial_folder(study_dir, b), result_b)
    bad = failed_trial("s", "grid", {**PARAMS, "seed": 7}, "GwinError: P_c is empty")
    record_error(study_dir, bad)

    counts = consolidate(study_dir.location)
    assert counts == {"ok": 2, "error": 1, "predictions": 5 + 8, "examples": 2}
    trials = read_table(study_dir.location, "trials").set_index("trial_id")
    assert list(trials.index) == sorted([a, b, bad["trial_id"]])
    assert trials.loc[bad["trial_id"], "status"] == "error"
    assert trials.loc[bad["trial_id"], "error"] == "GwinError: P_c is empty"
    assert trials.loc[bad["trial_id"], "seed"] == 7
    preds = read_table(study_dir.location, "predictions")
    assert preds.groupby("dataset")["trial_id"].agg(["unique", "size"]).to_dict("index") == {
        "digits": {"unique": [a], "size": 5},
        "mnist": {"unique": [b], "size": 8},
    }
    assert bad["trial_id"] not in set(preds["trial_id"])  # errors never count as results
    assert (
        study_dir.fs.get_file_info(
            study_dir.path("results", "predictions", "dataset=mnist", "part-0.parquet")
        ).size
        > 0
    )

    # idempotent: a second run changes nothing
    before = (read_table(study_dir.location, "trials"), preds)
    assert consolidate(study_dir) == counts
    pd.testing.assert_frame_equal(read_table(study_dir.location, "trials"), before[0])
    pd.testing.assert_frame_equal(read_table(study_dir.location, "predictions"), before[1])


def test_a_later_success_replaces_the_error_row(study_dir):
    tid, result = fake_result(PARAMS)
    record_error(study_dir, failed_trial("s", "grid", PARAMS, "RuntimeError: boom"))
    assert consolidate(study_dir)["error"] == 1
    write_trial(trial_folder(study_dir, tid), result)
    assert consolidate(study_dir) == {"ok": 1, "error": 0, "predictions": 5, "examples": 1}
    trials = read_table(study_dir.location, "trials")
    assert list(trials["status"]) == ["ok"] and list(trials["trial_id"]) == [tid]
    # and an error reported after the success does not overwrite it
    record_error(study_dir, failed_trial("s", "grid", PARAMS, "RuntimeError: late"))
    assert consolidate(study_dir)["error"] == 0


def test_error_line_keeps_the_original_exception():
    class Wrapped(Exception):
        def __init__(self, cause):
            super().__init__("Traceback ...\nmany lines")
            self.cause = cause

    assert error_line(Wrapped(ValueError("bad thing\nmore"))) == "ValueError: bad thing"
    assert error_line("Failure # 1\nTraceback\n  x\nRuntimeError: boom\n") == "RuntimeError: boom"


def test_progress_reports_put_the_table_columns_first_and_carry_validation():
    last = {}
    first = _progress(
        {
            "iteration": 2,
            "critic_loss": 1.5,
            "generator_loss": 3.0,
            "val_overall_acc_delta": 0.5,
            "val_gwin_acc_rejected": 60.0,
        },
        last,
    )
    assert list(first)[:4] == [
        "gen_iter",
        "critic_loss",
        "val_overall_acc_delta",
        "val_gwin_acc_rejected",
    ]
    later = _progress({"iteration": 3, "critic_loss": 1.0}, last)
    assert later["gen_iter"] == 3 and later["val_overall_acc_delta"] == 0.5
