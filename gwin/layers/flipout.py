"""Flipout variational layers (Wen et al., 2018) with mean-field normal weight posteriors.

We write these ourselves because bayesian-torch pulls in torchvision, which breaks next to the
CPU torch build here (docs/design.md section 2). They follow TensorFlow Probability's
`DenseFlipout` / `Convolution2DFlipout`, the layers of the paper's classifier, with the TFP
defaults:

- weights: posterior q(W) = N(mu, sigma^2), sigma = softplus(rho), independent per weight;
  prior p(W) = N(0, prior_std^2) with prior_std = 1.
- bias: a plain point estimate, with no prior and no KL term. This is TFP's default
  (`bias_posterior_fn=default_mean_field_normal_fn(is_singular=True)`, `bias_prior_fn=None`).
- initialisation: TFP's `default_mean_field_normal_fn`, i.e. mu ~ N(0, 0.1^2) and
  rho ~ N(-3, 0.1^2), so sigma starts near softplus(-3) = 0.049. The bias also starts at
  N(0, 0.1^2). `mu_std=None` gives He-normal mu (std sqrt(2 / fan_in)) instead. Deeper nets
  need it: with a fixed 0.1, wide layers blow activations up and narrow layers shrink them.

Forward pass (Flipout): draw ONE eps ~ N(0, I) per forward pass, shared by the whole batch,
and set dW = sigma * eps. Then

    out = f(x, mu) + f(x * s, dW) * r + b,

where s and r are independent random +-1 signs per example, over input and output
features/channels. Row n thus sees the perturbation dW * (r_n s_n^T). That has the same
distribution as dW, so each row's output follows the posterior predictive exactly, and the
rows are decorrelated: gradient variance falls with batch size about as fast as with
independent weight draws, for twice the cost of a deterministic layer.

Flipout decorrelates rows; it does not make them independent. T copies of ONE input in one
pass would share |dW| and differ only by signs (with one input channel, every copy sees
+-(the same perturbation)), so they are not T posterior samples. Monte Carlo draws therefore
take one forward pass each (gwin.models.classifiers.MCClassifier.mc_probs): every pass draws a
fresh eps, so draw t of an input is a fresh posterior sample, as the paper's median over T
draws assumes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gwin.errors import GwinError

TFP_RHO_INIT = -3.0  # TFP's untransformed_scale initializer mean
TFP_MU_STD = 0.1  # TFP's loc initializer stddev


def _random_signs(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return torch.empty(shape, dtype=like.dtype, device=like.device).bernoulli_(0.5).mul_(2).sub_(1)


class FlipoutLayer(nn.Module):
    """Shared parameters, KL and Flipout forward. Subclasses define `_op` and the sign shapes.

    Set `deterministic = True` (or use `deterministic(model)`) to use the mean weights only.
    """

    def __init__(
        self,
        weight_shape: tuple[int, ...],
        fan_in: int,
        bias: bool,
        mu_std: float | None,
        rho_init: float,
        prior_std: float,
    ) -> None:
        super().__init__()
        if min(weight_shape) < 1:
            raise GwinError(f"layer sizes must be positive, got weight shape {weight_shape}")
        if prior_std <= 0:
            raise GwinError(f"prior_std must be > 0, got {prior_std}")
        self.weight_mu = nn.Parameter(torch.empty(weight_shape))
        self.weight_rho = nn.Parameter(torch.empty(weight_shape))
        self.bias = nn.Parameter(torch.empty(weight_shape[0])) if bias else None
        self.prior_std = float(prior_std)
        self.deterministic = False
        std = math.sqrt(2.0 / fan_in) if mu_std is None else mu_std
        with torch.no_grad():
            self.weight_mu.normal_(0.0, std)
            self.weight_rho.normal_(rho_init, 0.1)
            if self.bias is not None:
                self.bias.normal_(0.0, TFP_MU_STD)

    @property
    def weight_sigma(self) -> Tensor:
        return F.softplus(self.weight_rho)

    def kl(self) -> Tensor:
        """Closed-form KL(q || p) summed over all weights (the bias has no posterior)."""
        sigma = self.weight_sigma
        var_ratio = (sigma / self.prior_std) ** 2
        mean_term = (self.weight_mu / self.prior_std) ** 2
        return 0.5 * (var_ratio + mean_term - 1.0 - torch.log(var_ratio)).sum()

    def _op(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        raise NotImplementedError

    def _sign_shapes(self, x: Tensor, out: Tensor) -> tuple[tuple[int, ...], tuple[int, ...]]:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        out = self._op(x, self.weight_mu, self.bias)
        if self.deterministic:
            return out
        delta = self.weight_sigma * torch.randn_like(self.weight_mu)
        s_shape, r_shape = self._sign_shapes(x, out)
        perturbation = self._op(x * _random_signs(s_shape, x), delta, None)
        return out + perturbation * _random_signs(r_shape, out)


class FlipoutLinear(FlipoutLayer):
    """Bayesian dense layer: `x @ W.T + b` with W ~ q; one perturbation per pass, signs per row."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        mu_std: float | None = TFP_MU_STD,
        rho_init: float = TFP_RHO_INIT,
        prior_std: float = 1.0,
    ) -> None:
        self.in_features, self.out_features = in_features, out_features
        super().__init__(
            (out_features, in_features), in_features, bias, mu_std, rho_init, prior_std
        )

    def _op(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        return F.linear(x, weight, bias)

    def _sign_shapes(self, x: Tensor, out: Tensor) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return tuple(x.shape), tuple(out.shape)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


class FlipoutConv2d(FlipoutLayer):
    """Bayesian 2-D convolution; signs are per example and channel, shared over positions.

    `padding` is an int, a pair, "valid" or "same". As in PyTorch, "same" needs stride 1,
    where it matches TF's 'SAME' for odd kernels.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        bias: bool = True,
        mu_std: float | None = TFP_MU_STD,
        rho_init: float = TFP_RHO_INIT,
        prior_std: float = 1.0,
    ) -> None:
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise GwinError(f"padding must be an int, 'same' or 'valid', got {padding!r}")
            if padding == "same" and stride not in (1, (1, 1)):
                raise GwinError("padding='same' needs stride=1; pass an int padding instead")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), stride, padding
        shape = (out_channels, in_channels, kh, kw)
        super().__init__(shape, in_channels * kh * kw, bias, mu_std, rho_init, prior_std)

    def _op(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        return F.conv2d(x, weight, bias, stride=self.stride, padding=self.padding)

    def _sign_shapes(self, x: Tensor, out: Tensor) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return (x.shape[0], self.in_channels, 1, 1), (out.shape[0], self.out_channels, 1, 1)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding!r}, bias={self.bias is not None}"
        )


def flipout_layers(model: nn.Module) -> list[FlipoutLayer]:
    """All Flipout layers in `model`, including `model` itself if it is one."""
    return [m for m in model.modules() if isinstance(m, FlipoutLayer)]


def kl_divergence(model: nn.Module) -> Tensor:
    """Sum of `kl()` over all Flipout layers: the KL term of the negative ELBO (unscaled).

    A model without Flipout layers gives a zero tensor, so non-Bayesian models fit the same loss.
    """
    layers = flipout_layers(model)
    if not layers:
        param = next(model.parameters(), None)
        return torch.zeros((), device=None if param is None else param.device)
    return torch.stack([layer.kl() for layer in layers]).sum()


@contextmanager
def deterministic(model: nn.Module, enabled: bool = True) -> Iterator[nn.Module]:
    """Use mean weights in every Flipout layer of `model` inside the block, then restore."""
    layers = flipout_layers(model)
    saved = [layer.deterministic for layer in layers]
    for layer in layers:
        layer.deterministic = enabled
    try:
        yield model
    finally:
        for layer, flag in zip(layers, saved, strict=True):
            layer.deterministic = flag
