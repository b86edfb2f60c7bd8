"""Train the Bayesian classifier C by minimising the negative ELBO (paper Section 4.1).

Loss per batch = mean CE(C(x), y) over the batch + KL(q || p) / N_train, N_train the size of
the training split (the TFP example's scaling). Every batch carries the whole KL / N_train, so
each batch's loss is a one-batch estimate of the negative ELBO / N_train (its gradient an
unbiased one); an epoch's batch losses sum to about (N_train / batch size) times that, not to
it. The deterministic variants have no KL term (and no weight decay: Adam without an L2 term);
an ensemble takes one shuffled batch per member. docs/design.md section 2.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from gwin.data.datasets import Split
from gwin.models.classifiers import MCClassifier


def train_classifier(
    model: MCClassifier,
    train: Split,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Adam on the negative ELBO; returns, per epoch, the mean of its batch losses weighted by
    batch size (an estimate of the negative ELBO / N_train). Uses the global torch RNG (one
    permutation per epoch, or one per ensemble member)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(train)
    history = []
    views = model.independent_batches
    model.train()
    for epoch in range(epochs):
        orders = [torch.randperm(n, device=train.x.device) for _ in range(views)]
        total = torch.zeros((), device=train.x.device)
        for start in range(0, n, batch_size):
            if views == 1:
                idx = orders[0][start : start + batch_size]
            else:  # [members, batch]: one batch each
                idx = torch.stack([order[start : start + batch_size] for order in orders])
            loss = model.training_loss(train.x[idx], train.y[idx]) + model.kl() / n
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach() * idx.shape[-1]
        history.append(float(total) / n)  # one host sync per epoch
        if on_epoch is not None:
            on_epoch(epoch, history[-1])
    model.eval()
    return history
