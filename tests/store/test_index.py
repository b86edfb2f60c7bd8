"""The trials index over per-trial folders: exact rows, no duplicates, errors, and trial files
that are written once and never touched when other trials finish."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gwin.config import config_from
from gwin.metrics.sweep import tau_sweep
from gwin.store.index import index_trials, rebuild_index
from gwin.store.location import Folder
from gwin.store.reader import load_results, read_table
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
        **cfg.result_fields(),
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


def _mtimes(study: Folder) -> dict[str, float]:
    root = study.root
    return {
        str(p.relative_to(root)): p.stat().st_mtime_ns
        for p in Path(root, "trial_outputs").rglob("*.parquet")
    }


def test_ok_and_error_trials_are_indexed_once(study_dir):
    a, result_a = fake_result(PARAMS)
    b, result_b = fake_result({**PARAMS, "dataset": "mnist"}, n_val=4, n_test=4)
    write_trial(trial_folder(study_dir, a), result_a)
    write_trial(trial_folder(study_dir, b), result_b)
    bad = failed_trial("s", "grid", {**PARAMS, "seed": 7}, "GwinError: P_c is empty")
    record_error(study_dir, bad)

    counts = rebuild_index(study_dir.location)
    assert counts == {"ok": 2, "error": 1}
    trials = read_table(study_dir.location, "trials").set_index("trial_id")
    assert list(trials.index) == sorted([a, b, bad["trial_id"]])
    assert trials.loc[bad["trial_id"], "status"] == "error"
    assert trials.loc[bad["trial_id"], "error"] == "GwinError: P_c is empty"
    assert trials.loc[bad["trial_id"], "seed"] == 7
    preds = read_table(study_dir.location, "predictions")
    assert preds.groupby("trial_id").size().to_dict() == {a: 5, b: 8}
    assert bad["trial_id"] not in set(preds["trial_id"])  # errors never count as results
    # the results folder holds the index only: predictions stay in the trial folders
    assert sorted(p.name for p in Path(study_dir.root, "results").iterdir()) == ["trials.parquet"]

    # idempotent: a second run, or indexing a trial again, changes nothing
    before = (read_table(study_dir.location, "trials"), preds)
    assert rebuild_index(study_dir) == counts
    assert index_trials(study_dir, [a]) == counts
    pd.testing.assert_frame_equal(read_table(study_dir.location, "trials"), before[0])
    pd.testing.assert_frame_equal(read_table(study_dir.location, "predictions"), before[1])


def test_indexing_a_new_trial_rewrites_no_other_trials_files(study_dir):
    a, result_a = fake_result(PARAMS)
    write_trial(trial_folder(study_dir, a), result_a)
    index_trials(study_dir, [a])
    written = _mtimes(study_dir)
    b, result_b = fake_result({**PARAMS, "seed": 1})
    write_trial(trial_folder(study_dir, b), result_b)
    assert index_trials(study_dir, [b]) == {"ok": 2, "error": 0}
    after = _mtimes(study_dir)
    assert {k: after[k] for k in written} == written  # a's files untouched
    assert sorted(read_table(study_dir, "trials")["trial_id"]) == sorted([a, b])


def test_a_row_the_driver_never_indexed_is_found_by_the_rebuild(study_dir):
    # the driver was killed between a trial's write and its index_trials
    a, result_a = fake_result(PARAMS)
    b, result_b = fake_result({**PARAMS, "seed": 1})
    write_trial(trial_folder(study_dir, a), result_a)
    index_trials(study_dir, [a])
    write_trial(trial_folder(study_dir, b), result_b)
    assert list(read_table(study_dir, "trials")["trial_id"]) == [a]
    assert rebuild_index(study_dir) == {"ok": 2, "error": 0}
    assert sorted(read_table(study_dir, "trials")["trial_id"]) == sorted([a, b])


def test_stored_summaries_equal_the_sweep_of_the_stored_predictions(study_dir):
    a, result_a = fake_result(PARAMS, n_val=3, n_test=6)
    result_a.predictions["bnn_certainty"] = [0.9, 0.2, 0.6, 0.95, 0.3, 0.75, 0.1, 0.85, 0.5]
    result_a.predictions["gwin_pred"] = [1, 1, 0, 1, 1, 0, 1, 1, 0]
    write_trial(trial_folder(study_dir, a), result_a)
    rebuild_index(study_dir)
    results = load_results(study_dir.location)
    stored = results.read("sweeps", split="test", corruption="none")
    preds = results.read("predictions", split="test", corruption="none")
    expected = tau_sweep(preds, results.taus)
    pd.testing.assert_frame_equal(
        stored.drop(columns=["trial_id", "split", "corruption"]), expected, check_dtype=False
    )
    assert len(results.read("selective")) == 2  # val and test


def test_a_later_success_replaces_the_error_row(study_dir):
    tid, result = fake_result(PARAMS)
    record_error(study_dir, failed_trial("s", "grid", PARAMS, "RuntimeError: boom"))
    assert index_trials(study_dir, [tid])["error"] == 1
    write_trial(trial_folder(study_dir, tid), result)
    assert index_trials(study_dir, [tid]) == {"ok": 1, "error": 0}
    trials = read_table(study_dir.location, "trials")
    assert list(trials["status"]) == ["ok"] and list(trials["trial_id"]) == [tid]
    # and an error reported after the success does not overwrite it
    record_error(study_dir, failed_trial("s", "grid", PARAMS, "RuntimeError: late"))
    assert rebuild_index(study_dir)["error"] == 0


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


def test_a_study_whose_driver_never_wrote_the_index_is_still_read(study_dir):
    # e.g. the disk filled up right after the first trial wrote its tables
    a, result_a = fake_result(PARAMS)
    write_trial(trial_folder(study_dir, a), result_a)
    assert list(read_table(study_dir, "trials")["trial_id"]) == [a]
    assert not Path(study_dir.root, "results").exists()  # reading wrote nothing
    assert len(read_table(study_dir, "predictions")) == 5
