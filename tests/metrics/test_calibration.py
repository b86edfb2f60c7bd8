"""ECE and NLL of C's predictive distribution, against values worked out by hand."""

import math

import pytest
import torch

from gwin.metrics.calibration import calibration

# confidences 0.95 (right), 0.65 (wrong: predicts 0, label 1), 0.75 (right), 0.85 (right):
# one input per 1/15-wide bin, so ECE = mean |correct - confidence|
SCORE = torch.tensor([[0.95, 0.05], [0.65, 0.35], [0.25, 0.75], [0.15, 0.85]])
LABELS = torch.tensor([0, 1, 1, 1])


def test_ece_and_nll_by_hand():
    got = calibration(SCORE, LABELS)
    assert got["ece"] == pytest.approx((0.05 + 0.65 + 0.25 + 0.15) / 4, abs=1e-6)
    nll = -(math.log(0.95) + math.log(0.35) + math.log(0.75) + math.log(0.85)) / 4
    assert got["nll"] == pytest.approx(nll, rel=1e-6)


def test_pooled_bin_uses_its_mean_confidence_and_accuracy():
    # both confidences in one bin (0.6-0.667 of 15): |accuracy 1/2 - mean confidence 0.62|
    score = torch.tensor([[0.61, 0.39], [0.63, 0.37]])
    got = calibration(score, torch.tensor([0, 1]))
    assert got["ece"] == pytest.approx(abs(0.5 - 0.62), abs=1e-6)


def test_edge_cases_certain_and_right_or_certainly_wrong():
    right = calibration(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 1]))
    assert right == {"ece": pytest.approx(0.0, abs=1e-9), "nll": pytest.approx(0.0, abs=1e-9)}
    wrong = calibration(torch.tensor([[1.0, 0.0]]), torch.tensor([1]))
    assert wrong["ece"] == pytest.approx(1.0)
    assert math.isfinite(wrong["nll"]) and wrong["nll"] > 700  # -log of the smallest double
