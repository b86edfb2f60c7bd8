"""Non-Bayesian classifiers behind the same `MCClassifier` interface: MC dropout, a deep
ensemble and a plain softmax net, all with the LeNet-5 layout of the paper's BNN.

Each gives T probability draws per input, from which label and median certainty come exactly
as for the BNNs (gwin.metrics.certainty):
- `DropoutLeNet5`: T forward passes with dropout on (MC dropout, Gal & Ghahramani 2016);
- `LeNet5Ensemble`: the K members' outputs are the draws (T = K, whatever T is asked for);
- `SoftmaxLeNet5`: one draw (T = 1), so the certainty is the softmax's max probability.

During WGWIN-GP training C is frozen (`requires_grad_(False)`) and in eval mode, and the
generator loss CE(C(G(x, z)), y) comes from one stochastic forward pass per batch, one draw per
row, as for the BNNs (whose Flipout layers draw one weight perturbation per pass, with random
signs per row): MC dropout stays on (its draws are what defines C's certainty, so G must move
inputs to where the *sampled* classifier is right), the ensemble judges each row with one
randomly chosen member (a draw from the ensemble's "posterior"), and the softmax net is
deterministic. docs/design.md sections 2 and 3.
"""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gwin.errors import GwinError
from gwin.models.classifiers import MCClassifier, lenet5_layers

# The constructors' defaults, and TrialConfig's (which repeats them: config never imports torch).
# Gal & Ghahramani's rate for LeNet; only before the dense layers ("lenet-ip"), so that the
# convolutional features, as in the BNN, carry no noise of their own.
DEFAULT_DROPOUT = 0.5
DEFAULT_ENSEMBLE_SIZE = 5  # Lakshminarayanan et al. (2017) use 5 members


class MCDropout(nn.Dropout):
    """Dropout that stays on in eval mode: every forward pass is one Monte Carlo draw."""

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, training=True)


class LeNet5(MCClassifier):
    """The deterministic LeNet-5 (plain Conv2d / Linear, PyTorch's default initialisation)."""

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        image_size: int = 28,
        dropout: float | None = None,
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        make_dropout = None if dropout is None else (lambda: MCDropout(dropout))
        self.net = lenet5_layers(
            nn.Conv2d, nn.Linear, num_classes, in_channels, image_size, make_dropout
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class SoftmaxLeNet5(LeNet5):
    """The baseline every uncertainty method must beat: certainty = max softmax probability."""

    def draws(self, x: Tensor, samples: int) -> Tensor:
        return self(x).softmax(dim=-1).unsqueeze(0)  # T = 1: more draws would all be equal


class DropoutLeNet5(LeNet5):
    """MC dropout: trained with dropout `p`, sampled with dropout on (`MCDropout`).

    Trained on cross-entropy alone, with no weight decay: Gal & Ghahramani's objective adds an
    L2 term standing for the prior, which this net does not have."""

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        image_size: int = 28,
        p: float = DEFAULT_DROPOUT,
    ) -> None:
        if not 0.0 < p < 1.0:
            raise GwinError(f"dropout must be in (0, 1), got {p}")
        super().__init__(num_classes, in_channels, image_size, dropout=p)


class LeNet5Ensemble(MCClassifier):
    """A deep ensemble of K independently initialised LeNet-5s, trained and cached as one model.

    One optimiser over all members is K independent trainings: Adam's updates are elementwise
    and each member's loss term depends on its own weights only. The members run one after
    another: stacking them into one grouped convolution (torch.func.vmap) was 1.6x slower to
    train and 2x slower to evaluate on 2 CPU cores (benchmarks/bench_ensemble.py).
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        image_size: int = 28,
        members: int = DEFAULT_ENSEMBLE_SIZE,
    ) -> None:
        super().__init__()
        if members < 1:
            raise GwinError(f"ensemble_size must be >= 1, got {members}")
        self.num_classes, self.members = num_classes, members
        # drawn one after another from the global RNG: independent initialisations
        self.nets = nn.ModuleList(
            LeNet5(num_classes, in_channels, image_size) for _ in range(members)
        )

    # the training loop gives each member its own shuffled batch
    independent_batches = property(lambda self: self.members)

    def member_logits(self, x: Tensor) -> Tensor:
        """Logits [K, B, classes]: `x` [B, ...] is shown to every member, [K, B, ...] one each."""
        if x.dim() == 5:
            return torch.stack([net(xk) for net, xk in zip(self.nets, x, strict=True)])
        return torch.stack([net(x) for net in self.nets])

    def member(self, k: int) -> LeNet5:
        """Member k (the module itself, not a copy)."""
        return cast(LeNet5, self.nets[k])

    def forward(self, x: Tensor) -> Tensor:
        """One draw per row: each row's logits come from one uniformly chosen member."""
        logits = self.member_logits(x)
        pick = torch.randint(self.members, (x.shape[0],), device=x.device)
        return logits[pick, torch.arange(x.shape[0], device=x.device)]

    def draws(self, x: Tensor, samples: int) -> Tensor:
        return self.member_logits(x).softmax(dim=-1)  # T = K: the members are the draws

    def training_loss(self, x: Tensor, y: Tensor) -> Tensor:
        """Sum over members of each one's mean cross-entropy on its own batch x [K, B, ...]:
        the sum keeps every member's gradient what it would be if trained alone."""
        logits = self.member_logits(x)
        return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum") / x.shape[1]
