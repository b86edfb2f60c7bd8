"""`gwin tables --ci bootstrap` and `--variance`, `Study.variance`: the numbers the metric
functions give on the study's own predictions, read back from Parquet by hand; and a study whose
every rejected input is fixed, where the bootstrap interval is the point [100, 100]."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

import gwin
from gwin.analysis.tables import build, main
from gwin.errors import GwinError
from gwin.method.evaluate import predictions_frame
from gwin.metrics.bootstrap import bootstrap_interval, kind_counts
from tests.analysis.conftest import synthetic_examples, trial_record, write_study

SETTING = ["d-l10-s0", "d-l10-s1"]  # digits / lenet5, lambda_loss 10: two seeds
BEFORE = {"gain_over_identity": "identity", "rejected_acc_delta": "bnn"}


def clean_test(study, trial_id: str) -> pd.DataFrame:
    preds = pd.read_parquet(study / "trial_outputs" / trial_id / "predictions.parquet")
    return preds[(preds["split"] == "test") & (preds["corruption"] == "none")]


def variance_by_hand(study, trial_ids: list[str], tau: float, before: str) -> dict[str, float]:
    """The decomposition's sd's in points, straight from the formulas of docs/schema.md."""
    values, test, mc = [], [], []
    for trial in trial_ids:
        p = clean_test(study, trial)
        r = p["bnn_certainty"].to_numpy() < tau
        label = p["label"].to_numpy()[r]
        gwin_ok = p["gwin_pred"].to_numpy()[r] == label
        before_ok = p[f"{before}_pred"].to_numpy()[r] == label
        identity_ok = p["identity_pred"].to_numpy()[r] == label
        bnn_ok = p["bnn_pred"].to_numpy()[r] == label
        n = r.sum()
        plus, minus = (gwin_ok & ~before_ok).sum() / n, (before_ok & ~gwin_ok).sum() / n
        values.append(100 * (plus - minus))
        test.append(100**2 * (plus + minus - (plus - minus) ** 2) / n)
        mc.append(100**2 * (identity_ok != bnn_ok).sum() / n**2)
    seeds = np.var(values, ddof=1)
    training = max(0.0, seeds - np.mean(mc))
    return {
        "seeds": math.sqrt(seeds),
        "test": math.sqrt(np.mean(test)),
        "mc": math.sqrt(np.mean(mc)),
        "training": math.sqrt(training),
        "mean": math.sqrt(seeds / len(values) + np.mean(test)),
    }


def test_ci_bootstrap_cells_are_the_bootstrap_of_the_trials_predictions(synthetic_study):
    text = build(str(synthetic_study), split="test", inference="bootstrap")
    assert "95% bootstrap interval over test inputs, stratified by seed" in text
    assert "paired t p" not in text  # the t-interval's columns are --ci's (--ci t's)
    rows = [r for r in text.splitlines() if r.startswith("| 10 ") and "| 0.8 " in r]
    for metric, label in (("gain_over_identity", "GWIN − Identity"),
                          ("rejected_acc_delta", "Rejected Acc. Δ")):  # fmt: skip
        assert f"{label} 95% bootstrap CI" in text
        per_seed = [kind_counts(clean_test(synthetic_study, t), 0.8, "gwin", BEFORE[metric])
                    for t in SETTING]  # fmt: skip
        _, low, high = bootstrap_interval(per_seed, seed=0)
        assert any(f"[{low:+.2f}, {high:+.2f}]" in r for r in rows), (metric, rows)


def test_ci_alone_is_still_the_t_interval_and_bootstrap_is_asked_by_name(synthetic_study, capsys):
    assert main([str(synthetic_study), "--ci", "--format", "csv"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert "paired_t_p" in t and "gain_over_identity_boot_low" not in t
    assert main([str(synthetic_study), "--ci", "bootstrap", "--format", "csv"]) == 0
    boot = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert "gain_over_identity_boot_low" in boot and "paired_t_p" not in boot
    assert main([str(synthetic_study), "--ci", "z"]) == 2
    assert "unknown ci 'z'; choose one of t, bootstrap" in capsys.readouterr().err


def test_variance_rows_are_the_formulas_on_the_trials_predictions(synthetic_study, capsys):
    assert main([str(synthetic_study), "--variance", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    row = table[(table["classifier"] == "lenet5") & (table["lambda_loss"] == 10.0)
                & np.isclose(table["tau"], 0.8)].iloc[0]  # fmt: skip
    assert row["n_seeds"] == 2
    for metric, before in BEFORE.items():
        expected = variance_by_hand(synthetic_study, SETTING, 0.8, before)
        got = {c: row[f"{metric}_sd_{c}"] for c in expected}
        assert got == pytest.approx(expected), metric
        seeds, mean = expected["seeds"] ** 2, expected["mean"] ** 2  # 2 seeds
        shares = {"test": expected["test"] ** 2 / mean,
                  "mc": min(expected["mc"] ** 2, seeds) / 2 / mean,
                  "training": expected["training"] ** 2 / 2 / mean}  # fmt: skip
        for c, share in shares.items():
            assert row[f"{metric}_share_{c}"] == pytest.approx(share)
    # markdown: a table per dataset / classifier, its caption says which split and what it is
    assert main([str(synthetic_study), "--variance", "--split", "val"]) == 0
    text = capsys.readouterr().out
    assert "## digits / lenet5 (val split, corruption none; where the variance" in text
    assert "GWIN − Identity: MC sd (share)" in text and "Rejected Acc. Δ: test sd (share)" in text


def test_study_variance_and_bootstrap_summary_are_the_printed_rows(synthetic_study):
    study = gwin.open_study(synthetic_study)
    printed = pd.read_csv(
        io.StringIO(build(str(synthetic_study), fmt="csv", inference="bootstrap"))
    )
    summary = study.summary(ci="bootstrap")
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(summary.to_csv(index=False))), printed)
    every = study.variance()
    at = study.variance(tau=0.8)
    assert list(at["tau"]) == [0.8] * len(at) and len(at) == 4  # 4 settings, one row each
    pd.testing.assert_frame_equal(at, every[np.isclose(every["tau"], 0.8)].reset_index(drop=True))
    with pytest.raises(GwinError, match="tau=0.123 was not evaluated"):
        study.variance(tau=0.123)
    with pytest.raises(GwinError, match="unknown ci 'f'"):
        study.summary(ci="f")


@pytest.mark.parametrize(
    "flag", [["--ci"], ["--ci", "bootstrap"], ["--vs-paper"], ["--tau", "0.5"]]
)
def test_variance_refuses_the_flags_it_would_ignore(synthetic_study, capsys, flag):
    assert main([str(synthetic_study), "--variance", *flag]) == 2
    assert f"--variance takes no {flag[0]}" in capsys.readouterr().err


@pytest.fixture(scope="module")
def all_fixed(tmp_path_factory):
    """Two seeds whose GWIN labels every input right while C (bnn and identity) gets every one
    wrong: at every tau that rejects anything, both gains are 100 on every resample."""
    n = 40
    label = np.arange(n) % 10
    wrong = (label + 1) % 10
    records, preds, examples = [], [], []
    rng = np.random.default_rng(0)
    for seed in (0, 1):
        trial_id = f"fixed-s{seed}"
        records.append(trial_record(trial_id, dataset="digits", seed=seed))
        cert = np.linspace(0.05, 0.98, n)
        cols = {"label": label, "bnn_pred": wrong, "bnn_certainty": cert,
                "bnn_gt_certainty": 1 - cert, "gwin_pred": label, "gwin_certainty": cert,
                "gwin_gt_certainty": cert, "identity_pred": wrong, "identity_certainty": cert,
                "identity_gt_certainty": 1 - cert}  # fmt: skip
        trial = pd.concat(
            [
                predictions_frame(cols, trial_id=trial_id, split=split, corruption="none")
                for split in ("val", "test")
            ]
        )
        preds.append(trial)
        examples.append(synthetic_examples(trial, rng))  # fmt: skip
    root = tmp_path_factory.mktemp("all_fixed") / "study"
    return write_study(root, pd.DataFrame(records), pd.concat(preds, ignore_index=True),
                       pd.concat(examples, ignore_index=True))  # fmt: skip


def test_every_rejected_input_fixed_gives_the_point_interval(all_fixed, capsys):
    assert main([str(all_fixed), "--ci", "bootstrap", "--format", "csv"]) == 0
    rows = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(rows) == len(gwin.open_study(all_fixed).results.taus)
    bounds = ["gain_over_identity_boot_low", "gain_over_identity_boot_high",
              "rejected_acc_delta_boot_low", "rejected_acc_delta_boot_high"]  # fmt: skip
    assert (rows[bounds] == 100.0).all().all()
    assert main([str(all_fixed), "--ci", "bootstrap"]) == 0
    assert "[+100.00, +100.00]" in capsys.readouterr().out
    # nothing varies: every component is 0, and with no spread there is nothing to share out
    var = gwin.open_study(all_fixed).variance()
    sds = [c for c in var.columns if "_sd_" in c]
    assert (var[sds] == 0.0).all().all() and var[
        [c for c in var if "_share_" in c]
    ].isna().all().all()
