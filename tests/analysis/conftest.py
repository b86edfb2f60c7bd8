"""Study layouts for the analysis tests: a synthetic one (fast) and a real smoke study (slow).

`write_study` writes the layout a study runner produces: one folder per trial under
trial_outputs/ (gwin.store.trial_outputs.write_trial, or error.json for a failed trial) and the
index results/trials.parquet.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gwin.config import TrialConfig
from gwin.method.evaluate import predictions_frame
from gwin.metrics.sweep import tau_sweep
from gwin.report.stats import format_mean_std
from gwin.store.index import rebuild_index
from gwin.store.location import Folder
from gwin.store.trial_outputs import record_error, trial_folder, write_trial
from gwin.store.trials_table import config_values

ROOT = Path(__file__).resolve().parents[2]  # analysis/ is importable via pytest's pythonpath


def write_study(
    root: Path, trials: pd.DataFrame, predictions: pd.DataFrame, examples: pd.DataFrame
) -> Path:
    study = Folder.at(root)
    for record in trials.to_dict("records"):
        tid = record["trial_id"]
        if record["status"] != "ok":
            record_error(study, record)
            continue
        result = SimpleNamespace(
            record=record,
            predictions=predictions[predictions["trial_id"] == tid].reset_index(drop=True),
            examples=examples[examples["trial_id"] == tid].reset_index(drop=True),
        )
        write_trial(trial_folder(study, tid), result)
    rebuild_index(study)
    return root


def trial_record(trial_id: str, status: str = "ok", **overrides) -> dict:
    cfg = TrialConfig.from_preset("smoke", **overrides)
    return {
        "trial_id": trial_id,
        "study": "synthetic",
        **config_values(cfg),
        "n_confident": 100,
        "classifier_cache_hit": False,
        "seconds_total": 1.0,
        "status": status,
        "error": "" if status == "ok" else "RuntimeError: boom",
    }


def synthetic_predictions(
    trial_id: str, rng: np.random.Generator, n: int = 60, gwin_skill: float = 0.3
) -> pd.DataFrame:
    frames = []
    for split, corruption in (("val", "none"), ("test", "none"), ("test", "rotate")):
        label = rng.integers(0, 10, n)
        cert = rng.uniform(0.2, 1.0, n)
        bnn_ok = rng.uniform(size=n) < cert
        gwin_ok = rng.uniform(size=n) < np.minimum(1.0, cert + gwin_skill)
        identity_ok = rng.uniform(size=n) < cert  # C re-drawn: as often right as C itself
        wrong = (label + 1) % 10
        cols = {
            "label": label,
            "bnn_pred": np.where(bnn_ok, label, wrong),
            "bnn_certainty": cert,
            "bnn_gt_certainty": np.where(bnn_ok, cert, 1 - cert),
            "gwin_pred": np.where(gwin_ok, label, wrong),
            "gwin_certainty": rng.uniform(0.3, 1.0, n),
            "gwin_gt_certainty": rng.uniform(0.0, 1.0, n),
            "identity_pred": np.where(identity_ok, label, wrong),
            "identity_certainty": cert,
            "identity_gt_certainty": np.where(identity_ok, cert, 1 - cert),
        }
        frames.append(
            predictions_frame(cols, trial_id=trial_id, split=split, corruption=corruption)
        )
    return pd.concat(frames, ignore_index=True)


def synthetic_examples(predictions: pd.DataFrame, rng: np.random.Generator, n: int = 4):
    test = predictions[(predictions["split"] == "test") & (predictions["corruption"] == "none")]
    wrong = test[(test["bnn_certainty"] < 0.8) & (test["bnn_pred"] != test["label"])]
    chosen = wrong.sort_values("index").head(n).reset_index(drop=True)
    chosen["image"] = [rng.uniform(size=784).astype(np.float32) for _ in range(len(chosen))]
    chosen["transformed"] = [rng.uniform(size=784).astype(np.float32) for _ in range(len(chosen))]
    return chosen


SYNTHETIC_TRIALS = [  # (trial_id, dataset, classifier, seed, lambda_loss)
    ("d-l1-s0", "digits", "lenet5", 0, 1.0),
    ("d-l1-s1", "digits", "lenet5", 1, 1.0),
    ("d-l10-s0", "digits", "lenet5", 0, 10.0),
    ("d-l10-s1", "digits", "lenet5", 1, 10.0),
    ("d-bcnn-s0", "digits", "bcnn", 0, 10.0),
    ("d-bcnn-s1", "digits", "bcnn", 1, 10.0),
    ("f-l10-s0", "fashion_mnist", "lenet5", 0, 10.0),  # a single seed: std undefined
]


@pytest.fixture(scope="session")
def synthetic_study(tmp_path_factory) -> Path:
    """7 ok trials over 2 datasets, 2 classifiers and 2 lambdas, plus one failed trial."""
    rng = np.random.default_rng(0)
    records, preds, examples = [], [], []
    for trial_id, dataset, classifier, seed, lam in SYNTHETIC_TRIALS:
        records.append(
            trial_record(
                trial_id, dataset=dataset, classifier=classifier, seed=seed, lambda_loss=lam
            )
        )
        p = synthetic_predictions(trial_id, rng)
        preds.append(p)
        examples.append(synthetic_examples(p, rng))
    records.append(trial_record("d-failed", status="error", seed=2))
    root = tmp_path_factory.mktemp("synthetic") / "study"
    return write_study(
        root,
        pd.DataFrame(records),
        pd.concat(preds, ignore_index=True),
        pd.concat(examples, ignore_index=True),
    )


@pytest.fixture(scope="session")
def single_trial(tmp_path_factory) -> Path:
    """One trial in the layout `python -m gwin trial --out DIR` writes."""
    rng = np.random.default_rng(1)
    out = tmp_path_factory.mktemp("trial")
    p = synthetic_predictions("t0", rng)
    record = trial_record("t0", dataset="digits")
    write_trial(Folder.at(out), SimpleNamespace(record=record, predictions=p,
                                                examples=synthetic_examples(p, rng)))  # fmt: skip
    return out


@pytest.fixture(scope="session")
def smoke_study(tmp_path_factory) -> Path:
    """A real smoke study on digits: 2 seeds x 2 lambdas through gwin.trial.run_trial.

    One shared classifier (classifier_seed=0, cached) keeps it to one classifier training;
    4 Monte Carlo draws and 10 iterations keep each trial to seconds of CPU.
    """
    from gwin.trial import run_trial

    base = tmp_path_factory.mktemp("smoke")
    study = Folder.at(base / "smoke")
    for seed in (0, 1):
        for lam in (1.0, 10.0):
            cfg = TrialConfig.from_preset(
                "smoke",
                dataset="digits",
                seed=seed,
                lambda_loss=lam,
                classifier_seed=0,
                iterations=10,
                eval_every=5,  # two validation reports: a learning curve
                mc_samples=4,
                corruptions=("rotate",),
                progress=False,
                cache_dir=str(base / "cache"),
            )
            result = run_trial(cfg, study_name="smoke")
            write_trial(trial_folder(study, result.record["trial_id"]), result)
    rebuild_index(study)
    return base / "smoke"


@pytest.fixture(scope="session")
def expected_cell():
    """mean ± std of one metric over trials, computed independently of gwin.report.stats:
    raw Parquet -> tau_sweep per trial -> numpy mean and std (ddof=1)."""

    def cell(study: Path, trial_ids: list[str], metric: str, tau: float) -> str:
        values = []
        for trial in trial_ids:
            preds = pd.read_parquet(study / "trial_outputs" / trial / "predictions.parquet")
            p = preds[(preds["split"] == "test") & (preds["corruption"] == "none")]
            values.append(tau_sweep(p, [tau]).iloc[0][metric])
        std = np.std(values, ddof=1) if len(values) > 1 else math.nan
        return format_mean_std(float(np.mean(values)), std)

    return cell
