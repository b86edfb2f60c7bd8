"""The confident set P_c = {(x, y) : C labels x as y with certainty >= tau*} (Algorithm 1)."""

from __future__ import annotations

import torch

from gwin.data.datasets import Split
from gwin.method.rejection import ThresholdRejection
from gwin.metrics.certainty import mc_summary
from gwin.models.classifiers import MCClassifier
from gwin.progress import bar


@torch.no_grad()
def certainties(
    classifier: MCClassifier,
    split: Split,
    samples: int,
    batch_size: int = 1000,
    progress: bool | None = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """C's predicted label and median certainty for every input of `split` (on its device);
    `progress`: a bar (None: on a terminal, gwin.progress)."""
    preds, certs = [], []
    with bar(len(split), "C's certainties", progress) as shown:
        for start in range(0, len(split), batch_size):
            s = mc_summary(classifier.mc_probs(split.x[start : start + batch_size], samples))
            preds.append(s.pred)
            certs.append(s.certainty)
            shown.update(min(batch_size, len(split) - start))
    return torch.cat(preds), torch.cat(certs)


def confident_indices(
    pred: torch.Tensor, certainty: torch.Tensor, labels: torch.Tensor, tau_star: float
) -> torch.Tensor:
    """Indices i with pred_i == y_i and certainty_i >= tau_star (the rejection rule at tau*)."""
    kept = (pred == labels) & ~ThresholdRejection(tau_star).rejects(certainty)
    return kept.nonzero().squeeze(1)


def confident_subset(split: Split, indices: torch.Tensor) -> Split:
    return Split(split.x[indices], split.y[indices])
