"""Train the Bayesian classifier C by minimising the negative ELBO (paper Section 4.1).

Loss per batch = CE(C(x), y) + KL(q || p) / N_train: the KL is spread over the epoch's batches
so that one epoch sums to the full negative ELBO divided by N (TFP example's scaling).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from gwin.data.datasets import Split


def train_classifier(
    model: nn.Module,
    train: Split,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Adam on the negative ELBO; returns the mean loss per epoch. Uses the global torch RNG."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(train)
    history = []
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(n, device=train.x.device)
        total = torch.zeros((), device=train.x.device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss = F.cross_entropy(model(train.x[idx]), train.y[idx]) + model.kl() / n
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
        history.append(float(total) / n)  # one host sync per epoch
        if on_epoch is not None:
            on_epoch(epoch, history[-1])
    model.eval()
    return history
