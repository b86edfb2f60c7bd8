"""Calibration of C's Monte Carlo predictive distribution: expected calibration error and NLL.

Both use the score s = mean over the T draws (gwin.metrics.certainty), the distribution C
predicts with. ECE is torchmetrics' top-label `multiclass_calibration_error` (L1, equal-width
bins over the confidence max_k s_k); NLL is the mean of -log s_y in nats. These are the
classifier-comparison columns `{split}_ece` and `{split}_nll` of the trials table.
"""

from __future__ import annotations

import torch
from torchmetrics.functional.classification import multiclass_calibration_error

ECE_BINS = 15  # the usual choice since Guo et al. (2017)


def calibration(
    score: torch.Tensor, labels: torch.Tensor, bins: int = ECE_BINS
) -> dict[str, float]:
    """{"ece", "nll"} of probability rows `score` [N, K] for integer `labels` [N]."""
    score = torch.as_tensor(score, dtype=torch.float64)
    labels = torch.as_tensor(labels, dtype=torch.long, device=score.device)
    ece = multiclass_calibration_error(
        score, labels, num_classes=score.shape[1], n_bins=bins, norm="l1"
    )
    true_prob = score.gather(1, labels.view(-1, 1)).squeeze(1)
    nll = -true_prob.clamp_min(torch.finfo(score.dtype).tiny).log().mean()
    return {"ece": float(ece), "nll": float(nll)}
