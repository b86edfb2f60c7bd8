"""A whole trial on a CUDA device (skipped where there is none: CI has no GPU).

The first GPU run of gwin (2026-12-04, an H200) stopped in the classifier's first batch: C was
trained on the CPU copy of the training split while its weights were on the GPU. Every stage
must use the split the trial moved to its device.
"""

import math

import pytest
import torch

from gwin.trial import run_trial

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.parametrize("classifier", ["lenet5", "bcnn"])
def test_a_trial_runs_on_cuda_and_agrees_with_the_cpu(tiny_cfg, classifier):
    cfg = tiny_cfg.replace(classifier=classifier, snapshots=(6,))
    snapshots = []
    gpu = run_trial(cfg.replace(device="cuda"), on_snapshot=snapshots.append)
    cpu = run_trial(cfg.replace(device="cpu"))
    assert gpu.record["device"].startswith("cuda") and cpu.record["device"] == "cpu"
    assert [s.record["iterations"] for s in snapshots] == [6]
    assert gpu.predictions.select_dtypes("number").notna().all().all()
    assert set(gpu.predictions["corruption"]) == set(cpu.predictions["corruption"])
    # same seed, other arithmetic: C's test accuracy within a few points, not bit-equal
    assert math.isfinite(gpu.record["test_gain_over_identity"])
    assert abs(gpu.record["test_bnn_acc"] - cpu.record["test_bnn_acc"]) < 5.0
