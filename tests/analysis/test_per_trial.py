"""tables.py --per-trial: each trial's gains and its McNemar counts, recomputed from its raw
predictions by hand."""

import io

import numpy as np
import pandas as pd
import pytest

from gwin.analysis.tables import main
from tests.metrics.test_paired import mcnemar_by_hand


def by_hand(study, trial_id, tau, before="identity", split="test"):
    """(fixed, broken, GWIN's and `before`'s accuracy on the rejected) from raw predictions."""
    preds = pd.read_parquet(study / "trial_outputs" / trial_id / "predictions.parquet")
    test = preds[(preds["split"] == split) & (preds["corruption"] == "none")]
    rejected = test[test["bnn_certainty"] < tau]
    gwin_ok = rejected["gwin_pred"] == rejected["label"]
    other_ok = rejected[f"{before}_pred"] == rejected["label"]
    fixed, broken = int((gwin_ok & ~other_ok).sum()), int((other_ok & ~gwin_ok).sum())
    return fixed, broken, gwin_ok.mean(), other_ok.mean()


def p_by_hand(fixed, broken):
    return float(mcnemar_by_hand(fixed, broken))


def test_per_trial_rows_are_what_each_trials_predictions_give(synthetic_study, capsys):
    assert main([str(synthetic_study), "--per-trial", "--tau", "0.8", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(table) == 7 and "d-failed" not in set(table["trial_id"])  # ok trials only
    for _, row in table.iterrows():
        fixed, broken, gwin_acc, identity_acc = by_hand(synthetic_study, row["trial_id"], 0.8)
        assert (row["fixed"], row["broken"]) == (fixed, broken)
        assert np.isclose(row["mcnemar_p"], p_by_hand(fixed, broken))
        assert np.isclose(row["test_gain"], 100 * (gwin_acc - identity_acc))
        # the same test on the rejected validation inputs: what a study's rule decides on
        fixed, broken, gwin_acc, identity_acc = by_hand(synthetic_study, row["trial_id"], 0.8,
                                                        split="val")  # fmt: skip
        assert (row["val_fixed"], row["val_broken"]) == (fixed, broken)
        assert np.isclose(row["val_mcnemar_p"], p_by_hand(fixed, broken))
        assert np.isclose(row["val_gain"], 100 * (gwin_acc - identity_acc))
        # the paper's metric beside ours: BNN+GWIN against the BNN's own first verdict
        fixed, broken, gwin_acc, bnn_acc = by_hand(synthetic_study, row["trial_id"], 0.8, "bnn")
        assert (row["fixed_vs_bnn"], row["broken_vs_bnn"]) == (fixed, broken)
        assert np.isclose(row["mcnemar_p_vs_bnn"], p_by_hand(fixed, broken))
        assert np.isclose(row["test_bnn_acc_rejected"], 100 * bnn_acc)
        assert np.isclose(row["test_gwin_acc_rejected"], 100 * gwin_acc)
        assert np.isclose(row["test_rejected_acc_delta"], 100 * (gwin_acc - bnn_acc))


def test_per_trial_takes_no_other_table_flags(synthetic_study, capsys):
    assert main([str(synthetic_study), "--per-trial", "--ci"]) == 2
    assert "--per-trial takes no" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mode", "ignored"),
    [
        ("--per-trial", ["--split", "val"]),  # its rows are val and test gains, McNemar on test
        ("--per-trial", ["--corruption", "rotate"]),  # always the clean sets
        ("--curves", ["--split", "val"]),  # the history is validation only
    ],
)
def test_a_flag_the_table_would_ignore_is_refused(synthetic_study, capsys, mode, ignored):
    assert main([str(synthetic_study), mode, *ignored]) == 2
    err = capsys.readouterr().err
    assert f"{mode} takes no {ignored[0]}" in err and err.count("\n") == 1


def test_rows_at_another_tau_are_recomputed_from_the_predictions(synthetic_study, capsys):
    """The trials row stores McNemar at tau = 0.8 only; at 0.5 the counts come from the trial's
    raw predictions."""
    assert main([str(synthetic_study), "--per-trial", "--tau", "0.5", "--format", "csv"]) == 0
    rows = pd.read_csv(io.StringIO(capsys.readouterr().out))
    for _, row in rows.iterrows():
        fixed, broken, _, _ = by_hand(synthetic_study, row["trial_id"], 0.5)
        assert (row["fixed"], row["broken"]) == (fixed, broken)
        fixed, broken, _, _ = by_hand(synthetic_study, row["trial_id"], 0.5, "bnn")
        assert (row["fixed_vs_bnn"], row["broken_vs_bnn"]) == (fixed, broken)


def test_rows_at_0_8_of_real_trials_match_their_predictions(smoke_study, capsys):
    """Real trials store McNemar at tau = 0.8 in their rows, which --per-trial reads: the same
    counts as from the raw predictions."""
    from gwin.store.reader import read_table

    trials = read_table(smoke_study, "trials").set_index("trial_id")
    stored = trials["test_vs_identity_fixed"]
    assert stored.notna().all()  # so the rows below come from the trials rows
    assert main([str(smoke_study), "--per-trial", "--format", "csv"]) == 0
    rows = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(rows) == 4 and sorted(rows["fixed"]) == sorted(stored)
    # each row says where its trial ran, so rows kept as data (docs/data/) still say it
    for _, row in rows.iterrows():
        trial = trials.loc[row["trial_id"]]
        threads = int(trial["worker_threads"])
        assert trial["device"] == "cpu"
        assert row["ran_on"] == f"cpu, {threads} thread{'s' if threads != 1 else ''}"
    for _, row in rows.iterrows():
        fixed, broken, _, _ = by_hand(smoke_study, row["trial_id"], 0.8)
        assert (row["fixed"], row["broken"]) == (fixed, broken)
        assert np.isclose(row["mcnemar_p"], p_by_hand(fixed, broken))
        fixed, broken, _, _ = by_hand(smoke_study, row["trial_id"], 0.8, "bnn")
        assert (row["fixed_vs_bnn"], row["broken_vs_bnn"]) == (fixed, broken)
