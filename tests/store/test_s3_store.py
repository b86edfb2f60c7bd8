"""gwin.store on a real (local) S3 endpoint: trial tables written, indexed and read back
through s3:// URIs, row for row, and one-line errors for prefixes that hold no study."""

from __future__ import annotations

import pandas as pd
import pyarrow.fs as pafs
import pytest

from gwin.errors import GwinError
from gwin.store.index import index_trials, rebuild_index
from gwin.store.location import Folder, read_json, write_json
from gwin.store.reader import load_results, read_table
from gwin.store.trial_outputs import read_trial, record_error, trial_folder, write_trial
from gwin.tune.driver_callback import failed_trial
from tests.store.test_index import PARAMS, fake_result

KEYS = ["trial_id", "split", "corruption", "index"]


def _key(uri: str) -> str:
    """The object key prefix of s3://BUCKET/KEY."""
    return uri.split("://", 1)[1].split("/", 1)[1]


def test_pyarrow_and_boto3_see_the_same_local_endpoint(s3):
    study = Folder.at(s3.fresh_uri("probe"))
    assert isinstance(study.fs, pafs.S3FileSystem)
    assert study.location.startswith(f"s3://{s3.bucket}/") and study.root.startswith(s3.bucket)
    write_json(study.fs, study.path("a", "x.json"), {"v": 1})
    assert s3.keys(_key(study.location)) == [f"{_key(study.location)}/a/x.json"]
    s3.client().put_object(Bucket=s3.bucket, Key=f"{_key(study.location)}/b.json", Body=b"[2]")
    assert read_json(study.fs, study.path("b.json")) == [2]


def test_trials_written_to_s3_are_indexed_and_read_back_exactly_once(s3):
    study = Folder.at(s3.fresh_uri("study"))
    a, result_a = fake_result(PARAMS)
    b, result_b = fake_result({**PARAMS, "dataset": "mnist"}, n_val=4, n_test=4)
    write_trial(trial_folder(study, a), result_a)
    write_trial(trial_folder(study, b), result_b)
    write_trial(trial_folder(study, a), result_a)  # written again (a retried write): replaced
    bad = failed_trial("s", "grid", {**PARAMS, "seed": 7}, "GwinError: P_c is empty")
    record_error(study, bad)

    # no staging folder or temporary object is left in the bucket
    keys = s3.keys(_key(study.location))
    assert not [k for k in keys if ".staging" in k or k.endswith(".tmp")], keys
    assert read_trial(trial_folder(study, a)).record["trial_id"] == a

    counts = rebuild_index(study.location)
    assert counts == {"ok": 2, "error": 1}
    # predictions are read where the trials wrote them: the results folder is the index alone
    results_keys = [k for k in s3.keys(_key(study.location)) if "/results/" in k]
    assert results_keys == [f"{_key(study.location)}/results/trials.parquet"]
    for _ in range(2):  # and once more: nothing duplicated, nothing dropped
        trials = read_table(study.location, "trials")
        assert sorted(trials["trial_id"]) == sorted([a, b, bad["trial_id"]])
        assert trials.set_index("trial_id")["status"].to_dict() == {
            a: "ok",
            b: "ok",
            bad["trial_id"]: "error",
        }
        preds = read_table(study.location, "predictions")
        expected = pd.concat([result_a.predictions, result_b.predictions])
        assert len(preds) == len(expected) and not preds.duplicated(KEYS).any()
        got = preds.sort_values(KEYS).reset_index(drop=True)
        pd.testing.assert_frame_equal(
            got, expected.sort_values(KEYS).reset_index(drop=True), check_dtype=False
        )
        assert index_trials(study, [a, b]) == counts

    results = load_results(study.location)
    assert results.source == study.location
    assert sorted(results.trials["trial_id"]) == sorted([a, b])
    assert list(results.failed["trial_id"]) == [bad["trial_id"]]
    assert len(results.read("predictions")) == 13
    assert sorted(results.examples()["trial_id"]) == sorted([a, b])
    assert len(results.read("predictions", [b], ["label"], split="test")) == 4
    # a study's results/ folder and a single trial's folder are results locations too
    assert len(read_table(study.location_of("results"), "trials")) == 3
    assert list(read_table(trial_folder(study, a).location, "predictions")["trial_id"]) == [a] * 5


def _one_line_error(call) -> str:
    with pytest.raises(GwinError) as err:
        call()
    message = str(err.value)
    assert message and "\n" not in message, message
    return message


def test_an_s3_prefix_that_holds_no_study_is_refused_in_one_line(s3):
    empty = s3.fresh_uri("nothing")
    assert "does not exist" in _one_line_error(lambda: read_table(empty, "trials"))
    assert empty in _one_line_error(lambda: load_results(empty))

    other = Folder.at(s3.fresh_uri("other"))
    write_json(other.fs, other.path("notes.json"), {})
    message = _one_line_error(lambda: load_results(other.location))
    assert "is not a gwin study or trial folder" in message and other.location in message

    started = Folder.at(s3.fresh_uri("started"))  # a study with no finished trial yet
    record_error(started, failed_trial("s", "grid", PARAMS, "RuntimeError: boom"))
    message = _one_line_error(lambda: read_table(started.location, "trials"))
    assert "no trial has finished" in message

    missing_bucket = f"s3://no-such-bucket-{s3.bucket}/study"
    _one_line_error(lambda: load_results(missing_bucket))
