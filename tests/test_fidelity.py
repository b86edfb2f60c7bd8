"""The classifier-only figures: by hand, and identical to what a trial reports for the same C."""

import math
import subprocess
import sys

import pytest
import torch

from gwin.fidelity import measure_classifier, rejection_sweep, versus_paper


def test_rejection_sweep_by_hand():
    # certainties 0.3, 0.6, 0.9, 0.95; C right on inputs 0 and 2 only.
    pred, label = torch.tensor([1, 0, 2, 0]), torch.tensor([1, 1, 2, 3])
    sweep = rejection_sweep(pred, torch.tensor([0.3, 0.6, 0.9, 0.95]), label, [0.1, 0.5, 0.92])
    assert sweep["pct_reject"].tolist() == [0.0, 25.0, 75.0]
    assert math.isnan(sweep["bnn_acc_rejected"][0])  # nothing rejected: undefined
    assert sweep["bnn_acc_rejected"][1:].tolist() == pytest.approx([100.0, 200 / 3])


@pytest.mark.slow
def test_figures_are_the_trials_bnn_columns(tiny_trial, tiny_cfg):
    figures = measure_classifier(tiny_cfg, taus=[0.5, 0.8, 0.99])
    assert figures.cache_hit and figures.n_confident == tiny_trial.record["n_confident"]
    trial = tiny_trial.sweep("test").set_index("tau")
    assert figures.test_accuracy == pytest.approx(trial.loc[0.5, "bnn_acc"])
    for _, row in figures.sweep.iterrows():
        assert row["pct_reject"] == pytest.approx(trial.loc[row["tau"], "pct_reject"])
        assert row["bnn_acc_rejected"] == pytest.approx(trial.loc[row["tau"], "bnn_acc_rejected"])


def test_versus_paper_puts_table_2_beside_ours():
    from gwin.fidelity import ClassifierFigures

    sweep = rejection_sweep(torch.tensor([0]), torch.tensor([0.6]), torch.tensor([0]), [0.5, 0.8])
    table = versus_paper(ClassifierFigures(88.0, 31_000, sweep, True, 1.0), "fashion_mnist")
    rows = table.set_index("figure")
    assert rows.loc["test accuracy (%)", "paper"] == 87.4
    assert rows.loc["|P_c|", "ours - paper"] == pytest.approx(31_000 - 31_760)
    assert rows.loc["% Reject at tau 0.80", "paper"] == 21.21
    assert rows.loc["BNN Acc. at tau 0.80", "ours"] == 100.0
    assert rows.loc["BNN Acc. at tau 0.50", "paper"] == 40.52


@pytest.mark.slow
def test_classifier_command_prints_the_figures(tiny_cfg):
    out = subprocess.run(
        [sys.executable, "-m", "gwin", "classifier", "--dataset", "digits", "--preset", "smoke",
         "--cache-dir", tiny_cfg.cache_dir, "--no-progress"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "test accuracy (%)" in out and "% Reject at tau 0.80" in out and "|P_c|" in out
