"""The WGWIN-GP generator G(x, z) and critic D(x, y) (docs/design.md section 3).

Both follow Gulrajani et al.'s WGAN-GP MNIST networks (`gan_mnist.py`), which the paper says its
architectures "closely follow"; the appendix with the exact layers is not available, so:

* the generator is conditioned on the whole observation by input concatenation
  ([flatten(x), z] -> Linear), as the paper states;
* the critic is conditioned on the one-hot label at a hidden layer (after the conv stack,
  followed by a nonlinear layer; see `Critic` for why), as the paper states;
* no batch norm anywhere: the gradient penalty is per sample.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gwin.errors import GwinError
from gwin.names import GENERATORS as GENERATOR_NAMES
from gwin.names import check_registry

IMAGE_SHAPE = (1, 28, 28)
PIXELS = 28 * 28


def _deconv(cin: int, cout: int) -> nn.ConvTranspose2d:
    # kernel 5, stride 2, 'SAME'-style: doubles the spatial size like tflib's Deconv2D.
    return nn.ConvTranspose2d(cin, cout, 5, stride=2, padding=2, output_padding=1)


class DCGANGenerator(nn.Module):
    """The paper's generator: [x, z] -> 4x4x4DIM -> 7x7x2DIM -> 14x14xDIM -> 28x28x1 -> sigmoid."""

    def __init__(self, dim: int = 64, z_dim: int = 128):
        super().__init__()
        self.dim, self.z_dim = dim, z_dim
        self.fc = nn.Linear(PIXELS + z_dim, 4 * 4 * 4 * dim)
        self.up1 = _deconv(4 * dim, 2 * dim)
        self.up2 = _deconv(2 * dim, dim)
        self.up3 = _deconv(dim, 1)

    def body(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Pre-sigmoid output (logits of the pixel intensities)."""
        h = F.relu(self.fc(torch.cat([x.flatten(1), z], dim=1)))
        h = h.view(-1, 4 * self.dim, 4, 4)
        h = F.relu(self.up1(h))[:, :, :7, :7]  # 8x8 -> 7x7, as in gan_mnist.py
        h = F.relu(self.up2(h))
        return self.up3(h)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.body(x, z))


class ResidualGenerator(DCGANGenerator):
    """G(x, z) = sigmoid(logit(x) + h(x, z)) with h's last layer zero-initialised.

    It starts close to the identity: at iteration 0, G(x, z) = clamp(x, EPS, 1 - EPS) (the
    logit's clamp below), so C(G(x, z)) is approximately, not exactly, C(x). It learns an edit
    of x rather than a whole image. An early measurement (before the critic fix and the
    independent Monte Carlo draws, not reproduced in this repository) found that it beats C on
    the rejected subset within a CPU budget where the from-scratch generator still loses; the
    CPU-budget search in docs/fidelity.md found every `dcgan` setting far behind the residual
    ones. The paper allows any generative framework, so this is a GWIN variant, used by the
    `cpu` and `smoke` presets (docs/design.md section 3).
    """

    # Pixels are clamped away from {0, 1} so logit(x) is finite; 1e-3 maps to +-6.9.
    EPS = 1e-3

    def __init__(self, dim: int = 64, z_dim: int = 128):
        super().__init__(dim, z_dim)
        nn.init.zeros_(self.up3.weight)
        if self.up3.bias is not None:
            nn.init.zeros_(self.up3.bias)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(torch.logit(x, eps=self.EPS) + self.body(x, z))


class Critic(nn.Module):
    """D(x, y): conv DIM, 2DIM, 4DIM (5x5, stride 2, LeakyReLU 0.2) -> features h(x);
    [h(x), onehot(y)] -> Linear(4*DIM) -> LeakyReLU(0.2) -> Linear(1).

    The paper conditions the critic "using hidden-layer concatenation". The label joins the
    features *before* a nonlinear layer on purpose: a head linear in [h(x), onehot(y)] gives
    D(x, y) = w . h(x) + b_y, and the per-class constant b_y cancels in D(x', y) - D(x, y), in
    the gradient penalty and in the generator's gradient, so such a critic is unconditional.
    Here y changes which features the hidden units weigh, so dD/dx depends on y.
    """

    def __init__(self, dim: int = 64, num_classes: int = 10):
        super().__init__()
        self.num_classes = num_classes
        self.convs = nn.Sequential(
            nn.Conv2d(1, dim, 5, stride=2, padding=2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(dim, 2 * dim, 5, stride=2, padding=2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * dim, 4 * dim, 5, stride=2, padding=2),
            nn.LeakyReLU(0.2),
        )
        self.joint = nn.Linear(4 * 4 * 4 * dim + num_classes, 4 * dim)
        self.out = nn.Linear(4 * dim, 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.convs(x).flatten(1)
        onehot = F.one_hot(y, self.num_classes).to(h.dtype)
        h = F.leaky_relu(self.joint(torch.cat([h, onehot], dim=1)), 0.2)
        return self.out(h).squeeze(1)


GENERATORS = {"dcgan": DCGANGenerator, "residual": ResidualGenerator}
check_registry("GENERATORS", GENERATOR_NAMES, GENERATORS)


def build_generator(name: str, dim: int, z_dim: int) -> DCGANGenerator:
    if name not in GENERATORS:
        raise GwinError(f"unknown generator {name!r}; choose one of {', '.join(GENERATORS)}")
    return GENERATORS[name](dim=dim, z_dim=z_dim)
