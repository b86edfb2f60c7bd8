"""gwin.open_study (gwin/study.py): the same numbers as `gwin tables`, trials listed from the
index alone, settings chosen on validation only, and the docs/api.md example run for real. Here,
beside the other results readers, so that a full run builds the smoke study once for all."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import gwin
from gwin.analysis.tables import build
from gwin.errors import GwinError
from gwin.report.stats import format_mean_std
from tests.fresh_import import loaded_by

ROOT = Path(__file__).resolve().parents[2]


def _csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as `gwin tables --format csv` prints it, read back."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))


@pytest.fixture
def parquet_reads(monkeypatch) -> list[str]:
    """Every Parquet file read from now on (gwin reads them all through pq.read_table)."""
    seen: list[str] = []
    original = pq.read_table

    def spy(source, *args, **kwargs):
        seen.append(str(source))
        return original(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", spy)
    return seen


def test_listing_trials_reads_the_index_only_and_never_a_prediction(
    synthetic_study,
    parquet_reads,
):
    study = gwin.open_study(synthetic_study)
    trials = study.trials
    repr(study)
    assert parquet_reads and all(p.endswith("results/trials.parquet") for p in parquet_reads)
    assert len(trials) == 8 and set(trials["status"]) == {"ok", "error"}
    assert {"trial_id", "lambda_loss", "seed", "seconds", "threads", "device", "error"} <= set(
        trials
    )
    for split in ("val", "test"):
        for metric in ("rejected_acc_delta", "gain_over_identity", "bnn_acc"):
            assert f"{split}_{metric}" in trials
    study.summary()  # the tables read the stored sweeps, never the predictions
    assert not any("predictions" in p for p in parquet_reads)


@pytest.mark.parametrize("ci", [False, True, "bootstrap"])
def test_summary_is_what_gwin_tables_prints_as_csv(synthetic_study, ci):
    study = gwin.open_study(synthetic_study)
    printed = pd.read_csv(io.StringIO(build(str(synthetic_study), fmt="csv", inference=ci)))
    pd.testing.assert_frame_equal(_csv(study.summary(ci=ci)), printed)
    # `gwin tables --by none --split val`: main() turns --by none into by=[]
    val = pd.read_csv(io.StringIO(build(str(synthetic_study), [], split="val", fmt="csv")))
    pd.testing.assert_frame_equal(_csv(study.summary(by="none", split="val")), val)


def test_summary_matches_the_markdown_cells_of_a_real_study(smoke_study):
    study = gwin.open_study(smoke_study)
    markdown = build(str(smoke_study))
    table = study.summary()
    assert len(table) == 2 * len(study.results.taus)  # 2 lambdas x every tau, one block
    for _, row in table.iterrows():
        for metric in ("gain_over_identity", "rejected_acc_delta"):
            cell = format_mean_std(row[f"{metric}_mean"], row[f"{metric}_std"])
            assert cell in markdown, (metric, row["tau"], cell)
    at = study.summary(tau=0.8)
    assert list(at["tau"]) == [0.8, 0.8]
    pd.testing.assert_frame_equal(at, table[table["tau"] == 0.8].reset_index(drop=True))
    with pytest.raises(GwinError, match="tau=0.123 was not evaluated"):
        study.summary(tau=0.123)
    with pytest.raises(GwinError, match="unknown split"):
        study.summary(split="train")


def test_best_chooses_on_validation_and_names_its_trials(synthetic_study):
    study = gwin.open_study(synthetic_study)
    with pytest.raises(GwinError, match="validation") as refused:
        study.best(split="test", dataset="digits")
    assert "\n" not in str(refused.value)
    with pytest.raises(GwinError, match="pass dataset="):
        study.best()  # digits and fashion_mnist: never chosen across datasets
    best = study.best(dataset="digits")
    val = study.summary(split="val", tau=0.8)
    val = val[val["dataset"] == "digits"].reset_index(drop=True)
    top = val.loc[val["gain_over_identity_mean"].idxmax()]
    pd.testing.assert_series_equal(best.row, top, check_names=False)
    trials = study.trials
    same = trials[
        (trials["status"] == "ok")
        & (trials["dataset"] == "digits")
        & (trials["classifier"] == top["classifier"])
        & (trials["lambda_loss"] == top["lambda_loss"])
    ]
    assert best.trial_ids == sorted(same["trial_id"]) and len(best.trial_ids) == 2
    fewer = study.best("error_delta_pct", dataset="digits")  # fewer errors is better
    assert fewer.row["error_delta_pct_mean"] == val["error_delta_pct_mean"].min()
    with pytest.raises(GwinError, match="unknown metric 'nope'; choose one of"):
        study.best("nope", dataset="digits")


def test_load_gives_a_model_that_predicts_and_refuses_unknown_ids(smoke_study):
    from gwin.data.datasets import load_dataset

    study = gwin.open_study(smoke_study)
    trial = study.trials["trial_id"].iloc[0]
    model = study.load(trial)
    assert model.meta["trial_id"] == trial
    prediction = model.predict(load_dataset("digits").test.x[:8, 0], seed=0)
    assert prediction.final_label.shape == (8,)
    with pytest.raises(GwinError, match=f"has no trial 'nope'.*e.g. .*{trial}"):
        study.load("nope")


def test_a_failed_trial_has_no_model_and_curves_need_a_history(synthetic_study):
    study = gwin.open_study(synthetic_study)
    with pytest.raises(GwinError, match="'d-failed' .* failed"):
        study.load("d-failed")
    with pytest.raises(GwinError, match="no validation history"):
        study.curves()


def test_curves_of_a_real_study(smoke_study):
    curves = gwin.open_study(smoke_study).curves()
    assert sorted(curves["iteration"].unique()) == [5, 10]
    assert set(curves["lambda_loss"]) == {1.0, 10.0}
    assert (curves["n_trials"] == 2).all()  # two seeds per setting and iteration


def test_repr_names_path_trials_datasets_swept_columns_and_seeds(synthetic_study):
    text = repr(gwin.open_study(synthetic_study))
    assert str(synthetic_study) in text
    assert "8 trials (7 ok, 1 failed)" in text
    assert "datasets: digits, fashion_mnist" in text
    assert "swept: lambda_loss" in text and "seeds: 0, 1" in text


def test_importing_gwin_stays_light():
    assert loaded_by(["gwin"], ["pandas", "torch", "gwin.study"]) == []
    assert gwin.Study is __import__("gwin.study").study.Study


def test_the_api_page_python_block_runs(smoke_study, tmp_path, monkeypatch, capsys):
    page = (ROOT / "docs" / "api.md").read_text()
    marker = (
        "<!-- tested: tests/analysis/test_study_api.py::test_the_api_page_python_block_runs -->"
    )
    (code,) = re.findall(re.escape(marker) + r"\n```python\n(.*?)```", page, re.S)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "ablation_lambda").symlink_to(smoke_study, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "docs/api.md", "exec"), scope)
    out = capsys.readouterr().out
    assert "runs/ablation_lambda" in out and "4 trials (4 ok, 0 failed)" in out
    assert "rejected" in out and not scope["curves"].empty
