"""Bayesian classifiers C that emit Monte Carlo class-probability draws (docs/design.md section 2).

Any model that gives one stochastic draw of logits per row fits `MCClassifier`. Its
`mc_probs` takes T forward passes, one per draw: every pass samples its own weights, so the T
draws of one input are independent posterior samples. (One pass over T copies of the input
would not be: Flipout shares one perturbation between the rows of a pass; see
gwin.layers.flipout. T perturbations in one grouped pass would be, but cost 1.8x the loop on a
CPU: docs/performance.md.) The same code runs with gradients, because the generator loss
backpropagates through C into G.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gwin.errors import GwinError
from gwin.layers.flipout import FlipoutConv2d, FlipoutLinear, kl_divergence


class MCClassifier(nn.Module):
    """Interface: `forward` gives logits [B, K], one stochastic draw per row. For the Flipout
    nets each row's draw follows the posterior predictive, but the rows of one pass share one
    weight perturbation (only its signs differ per row), so they are not independent; `draws`
    takes one pass per draw for that reason."""

    num_classes: int

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def kl(self) -> Tensor:
        """KL(q || p) summed over all Bayesian layers; 0 for a non-Bayesian model."""
        return kl_divergence(self)

    # How many independently shuffled batches one training step takes (an ensemble: one each).
    independent_batches = 1

    def training_loss(self, x: Tensor, y: Tensor) -> Tensor:
        """The data term of the training loss (the KL term is added by the training loop)."""
        return F.cross_entropy(self(x), y)

    def mc_probs(self, x: Tensor, samples: int) -> Tensor:
        """Softmax draws [T, B, K] (T = `samples` unless the model fixes its own, see `draws`)."""
        if samples < 1:
            raise GwinError(f"samples must be >= 1, got {samples}")
        return self.draws(x, samples)

    def draws(self, x: Tensor, samples: int) -> Tensor:
        """`samples` draws, each from its own forward pass (an independent sample)."""
        return torch.stack([self(x).softmax(dim=-1) for _ in range(samples)])


def lenet5_layers(
    conv: Callable[..., nn.Module],
    linear: Callable[..., nn.Module],
    num_classes: int,
    in_channels: int,
    image_size: int,
    dropout: Callable[[], nn.Module] | None = None,
) -> nn.Sequential:
    """The LeNet-5 layout of the TFP example (see BayesianLeNet5) from the given layer types.

    `dropout()`, if given, goes before each of the two dense layers (Gal & Ghahramani's
    "lenet-ip" placement); without it the Sequential's indices, and so the state_dict keys of
    cached classifiers, are those of the original Bayesian LeNet-5.
    """
    side = _pooled(image_size, 2)

    def drop() -> list[nn.Module]:
        return [] if dropout is None else [dropout()]

    return nn.Sequential(
        conv(in_channels, 6, 5, padding="same"),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        conv(6, 16, 5, padding="same"),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        conv(16, 120, 5, padding="same"),
        nn.ReLU(),
        nn.Flatten(),
        *drop(),
        linear(side * side * 120, 84),
        nn.ReLU(),
        *drop(),
        linear(84, num_classes),
    )


def _pooled(size: int, times: int) -> int:
    # MaxPool2d(2, ceil_mode=True) has TF 'SAME' pooling's output size, also for odd sizes
    for _ in range(times):
        size = math.ceil(size / 2)
    return size


class BayesianLeNet5(MCClassifier):
    """Bayesian LeNet-5, the paper's classifier, as in the TFP example it builds on.

    The layers follow tensorflow_probability/examples/bayesian_neural_network.py:
    Convolution2DFlipout(6, 5, 'SAME') + ReLU, MaxPool 2x2/2 'SAME';
    Convolution2DFlipout(16, 5, 'SAME') + ReLU, MaxPool 2x2/2 'SAME';
    Convolution2DFlipout(120, 5, 'SAME') + ReLU; Flatten (7*7*120 for 28x28 inputs);
    DenseFlipout(84) + ReLU; DenseFlipout(num_classes). All three convolutions use 'SAME'
    padding there, so 28 -> 14 -> 7 pixels, unlike the classic LeNet-5's valid convolutions.
    Initialisation and posteriors are TFP's defaults (see gwin.layers.flipout).
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, image_size: int = 28) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.net = lenet5_layers(FlipoutConv2d, FlipoutLinear, num_classes, in_channels, image_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class BayesianCNN(MCClassifier):
    """The "stronger BNN": a VGG-style Flipout CNN. The paper's appendix layers are unknown.

    Layers, with w = `width` (default 32), 3x3 'same' convolutions and ReLU after each:
    conv w, conv w, MaxPool 2; conv 2w, conv 2w, MaxPool 2; Flatten (7*7*2w);
    dense 8w; dense num_classes. Why this net:
    - it is deeper than LeNet-5 (4 convolutions in 2 stacks of two 3x3 layers, each stack with
      a 5x5 receptive field) and wider early (32/64 channels against 6/16). Deterministic
      VGG-style nets of this size usually beat LeNet-5 by a few points on Fashion-MNIST.
      For the Bayesian versions, the classifier-training study has to confirm the gap.
    - mu uses He-normal init: TFP's fixed 0.1 would shrink the signal in the first 3x3
      layers (fan-in 9) and over-amplify it in the wide dense layer.
    - no batch norm: each of the T draws is its own forward pass over a chunk of inputs (and
      the generator loss one pass over a batch of G(x, z)), so batch statistics would make an
      input's draw depend on the other inputs of its pass.
    - it stays trainable on a CPU: ~0.87M weight means (LeNet-5: ~0.54M). `width=16` gives
      a ~4x cheaper variant; it is not a TrialConfig field, so trials use width 32.
    """

    def __init__(
        self, num_classes: int = 10, in_channels: int = 1, image_size: int = 28, width: int = 32
    ) -> None:
        super().__init__()
        if width < 1:
            raise GwinError(f"width must be >= 1, got {width}")
        self.num_classes = num_classes
        side = _pooled(image_size, 2)

        def conv(c_in: int, c_out: int) -> FlipoutConv2d:
            return FlipoutConv2d(c_in, c_out, 3, padding="same", mu_std=None)

        self.net = nn.Sequential(
            conv(in_channels, width),
            nn.ReLU(),
            conv(width, width),
            nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),
            conv(width, 2 * width),
            nn.ReLU(),
            conv(2 * width, 2 * width),
            nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Flatten(),
            FlipoutLinear(side * side * 2 * width, 8 * width, mu_std=None),
            nn.ReLU(),
            FlipoutLinear(8 * width, num_classes, mu_std=None),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


# The Bayesian (Flipout) nets; gwin.models.registry adds the deterministic variants.
BAYESIAN: dict[str, type[MCClassifier]] = {"lenet5": BayesianLeNet5, "bcnn": BayesianCNN}
