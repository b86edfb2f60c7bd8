"""End-to-end studies on a local Ray (loopback): results, resume, retries, interruption."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gwin.store.reader import read_table
from gwin.store.schema import REQUIRED_COLUMNS
from gwin.tune.driver_callback import DROPPED_NOTE

pytestmark = pytest.mark.slow
# digits: 300 validation and 300 test inputs; predictions hold val + test + rotated test.
ROWS_PER_TRIAL = 300 + 300 + 300
STUDIES = Path(__file__).resolve().parents[2] / "studies"


@pytest.fixture(scope="module")
def smoke_study(local_ray, study, tiny, tmp_path_factory):
    """A lambda study on digits: 2 lambdas x 2 seeds, with its own (cold) classifier cache."""
    storage = tmp_path_factory.mktemp("storage")
    argv = [*tiny, "--storage", str(storage), "--lambdas", "0", "10", "--seeds", "2"]
    assert study("ablation_lambda.py", argv) == 0
    return storage / "ablation_lambda", argv


def test_smoke_study_writes_every_row_once_and_trains_one_classifier_per_seed(smoke_study):
    folder, _ = smoke_study
    trials = read_table(folder, "trials")
    preds = read_table(folder, "predictions")
    assert set(REQUIRED_COLUMNS["trials"]) <= set(trials.columns)
    assert set(REQUIRED_COLUMNS["predictions"]) <= set(preds.columns)
    assert sorted(zip(trials["lambda_loss"], trials["seed"], strict=True)) == [
        (0.0, 0), (0.0, 1), (10.0, 0), (10.0, 1)]  # fmt: skip
    assert trials["trial_id"].is_unique and set(trials["status"]) == {"ok"}
    assert set(trials["study"]) == {"ablation_lambda"} and set(trials["tau_star"]) == {0.5}
    assert len(preds) == 4 * ROWS_PER_TRIAL
    assert preds.groupby("trial_id").size().to_dict() == dict.fromkeys(
        trials["trial_id"], ROWS_PER_TRIAL
    )
    assert set(trials["dataset"]) == {"digits"}
    # classifiers depend on the seed only: 2 seeds -> 2 trainings for 4 trials
    assert int((~trials["classifier_cache_hit"].astype(bool)).sum()) == 2
    assert len(list((folder / "cache" / "classifier").glob("*.pt"))) == 2
    # each trial's tables stay in its folder; results/ is the index alone
    for tid in trials["trial_id"]:
        assert (folder / "trial_outputs" / tid / "predictions.parquet").is_file()
    assert sorted(p.name for p in (folder / "results").iterdir()) == ["trials.parquet"]
    # a finished trial keeps no checkpoint state: its tables are what last; each folder stays
    # with a note, for a Tune state saved before the trial ended (gwin.tune.driver_callback)
    checkpoints = list((folder / "tune").rglob("checkpoint_*/"))
    assert checkpoints and all([p.name for p in c.iterdir()] == [DROPPED_NOTE] for c in checkpoints)


def test_resuming_a_finished_study_changes_nothing(smoke_study, study):
    folder, argv = smoke_study
    trials, preds = read_table(folder, "trials"), read_table(folder, "predictions")
    assert study("ablation_lambda.py", [*argv, "--resume"]) == 0
    pd.testing.assert_frame_equal(read_table(folder, "trials"), trials)  # same started_at too
    pd.testing.assert_frame_equal(read_table(folder, "predictions"), preds)


def test_a_study_runs_again_from_the_config_file_in_its_folder(smoke_study, study):
    folder, _ = smoke_study
    settings = yaml.safe_load((folder / "config.yaml").read_text())
    assert settings["command"] == "study ablation_lambda" and settings["lambdas"] == [0.0, 10.0]
    assert settings["iterations"] == 6 and settings["tau_star"] == 0.5  # what the trials ran
    trials, preds = read_table(folder, "trials"), read_table(folder, "predictions")
    # the same study (its plan.json agrees), so --resume finds every trial done
    assert study("ablation_lambda.py", ["--config", str(folder / "config.yaml"), "--resume"]) == 0
    pd.testing.assert_frame_equal(read_table(folder, "trials"), trials)
    pd.testing.assert_frame_equal(read_table(folder, "predictions"), preds)


def test_a_trial_whose_outputs_are_complete_is_reported_not_rerun(
    smoke_study, study, tiny, tmp_path
):
    """The driver stopped after a trial wrote trials.parquet but before Tune saw it finish."""
    source, _ = smoke_study
    done = read_table(source, "trials").query("lambda_loss == 0 and seed == 0").iloc[0]
    folder = tmp_path / "ablation_lambda"
    shutil.copytree(
        source / "trial_outputs" / done["trial_id"], folder / "trial_outputs" / done["trial_id"]
    )
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "0", "10", "--seeds", "1",
            "--cache-dir", str(source / "cache"), "--resume"]  # fmt: skip
    assert study("ablation_lambda.py", argv) == 0
    trials = read_table(folder, "trials").set_index("trial_id")
    assert sorted(trials["lambda_loss"]) == [0.0, 10.0] and set(trials["status"]) == {"ok"}
    assert trials.loc[done["trial_id"], "started_at"] == done["started_at"]
    rerun = read_table(folder, "predictions").query("trial_id == @done.trial_id")
    kept = read_table(source, "predictions").query("trial_id == @done.trial_id")
    pd.testing.assert_frame_equal(rerun.reset_index(drop=True), kept.reset_index(drop=True))


def test_a_search_study_picks_the_best_and_reruns_it_over_seeds(
    local_ray, study, tiny, tmp_path, warm_cache
):
    argv = [*tiny, "--storage", str(tmp_path), "--num-samples", "2", "--seeds", "1",
            "--cache-dir", warm_cache]  # fmt: skip
    assert study("tune_gwin.py", argv) == 0
    folder = tmp_path / "tune_gwin"
    trials = read_table(folder, "trials")
    search, best = trials[trials["run"] == "search-digits"], trials[trials["run"] == "best-digits"]
    assert len(search) == 2 and set(search["seed"]) == {1000}  # no stopped trial at max_t
    assert list(best["seed"]) == [0]
    chosen = json.loads((folder / "best" / "digits.json").read_text())
    top = search.loc[search["val_gain_over_identity"].idxmax()]
    for key, value in chosen["params"].items():
        assert set(best[key]) == {value} and top[key] == pytest.approx(value)
