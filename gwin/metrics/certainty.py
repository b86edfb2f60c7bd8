"""Monte Carlo summaries of a classifier: score, prediction and the paper's certainty.

For T probability draws p_1..p_T of one input (docs/design.md section 2): score s = mean_t p_t,
prediction y' = argmax s, certainty c = median_t p_t[y']. The median is numpy's
(`np.median`, used by the paper's TFP-based code): for even T, such as the paper's T = 10, it
is the mean of the two middle values. `torch.median` returns the lower middle value instead,
which would shift every certainty and so which inputs fall under a threshold tau.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from gwin.errors import GwinError


@dataclass(frozen=True)
class MCSummary:
    """Per-input summary of T draws; every field has the batch as its first dimension."""

    score: Tensor  # [B, K] mean probability over draws
    pred: Tensor  # [B] argmax of score (ties: lowest class index, as np.argmax)
    certainty: Tensor  # [B] median over draws of the predicted class's probability
    gt_certainty: Tensor | None  # [B] median over draws of the true class's probability


def median_over_draws(values: Tensor) -> Tensor:
    """numpy-style median along dim 0: the middle value, or the mean of the two middle ones."""
    t = values.shape[0]
    ordered = values.sort(dim=0).values
    return (ordered[(t - 1) // 2] + ordered[t // 2]) / 2


def _class_median(probs: Tensor, classes: Tensor) -> Tensor:
    index = classes.view(1, -1, 1).expand(probs.shape[0], -1, 1)
    return median_over_draws(probs.gather(2, index).squeeze(2))


def mc_summary(probs: Tensor, labels: Tensor | None = None) -> MCSummary:
    """Summarise draws `probs` [T, B, K]; pass `labels` [B] to get the ground-truth certainty."""
    if probs.dim() != 3 or probs.shape[0] < 1:
        raise GwinError(f"probs must be [T, B, K] with T >= 1, got shape {tuple(probs.shape)}")
    score = probs.mean(dim=0)
    pred = score.argmax(dim=1)
    gt_certainty = None
    if labels is not None:
        if labels.shape != (probs.shape[1],):
            raise GwinError(
                f"labels must be [B] = [{probs.shape[1]}], got shape {tuple(labels.shape)}"
            )
        gt_certainty = _class_median(probs, labels.to(device=probs.device, dtype=torch.long))
    return MCSummary(score, pred, _class_median(probs, pred), gt_certainty)
