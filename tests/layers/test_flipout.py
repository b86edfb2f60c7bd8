"""Flipout layers: output moments against closed forms, KL by hand, modes and gradients.

Each forward pass draws one eps for the whole batch, so the variance estimate fluctuates
mostly with the number of forward passes F, not with the rows. The moment tests therefore
take per-pass estimates, compare their mean with the closed form in units of the empirical
standard error (|z| < 5), and also require that standard error to be small (the test has
power).
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gwin.errors import GwinError
from gwin.layers import FlipoutConv2d, FlipoutLinear, deterministic, kl_divergence

pytestmark = pytest.mark.usefixtures("one_thread")


def _set(layer, mu, sigma, bias=None):
    with torch.no_grad():
        layer.weight_mu.copy_(mu)
        layer.weight_rho.copy_(torch.log(torch.expm1(sigma)))  # inverse softplus
        if bias is not None:
            layer.bias.copy_(bias)
    return layer


def _check_moments(per_pass_mean, per_pass_var, expected_var, max_rel_se):
    """per_pass_* are [F, ...] estimates of E[d] (expected 0) and E[d^2] (expected_var)."""
    n_pass = per_pass_mean.shape[0]
    se_mean = per_pass_mean.std(0) / math.sqrt(n_pass)
    assert (per_pass_mean.mean(0).abs() < 5 * se_mean).all()
    se_var = per_pass_var.std(0) / math.sqrt(n_pass)
    assert (se_var < max_rel_se * expected_var).all()  # enough passes to resolve the variance
    z = (per_pass_var.mean(0) - expected_var) / se_var
    assert z.abs().max() < 5


def _linear_layer():
    torch.manual_seed(0)
    mu = torch.randn(3, 20)
    sigma = torch.rand(3, 20) * 0.6 + 0.2
    bias = torch.tensor([0.5, -1.0, 2.0])
    x = torch.linspace(-2.0, 3.0, 20)
    return _set(FlipoutLinear(20, 3), mu, sigma, bias), x, mu, sigma, bias


def test_linear_mean_and_variance_match_closed_form():
    layer, x, mu, sigma, bias = _linear_layer()
    mean = x @ mu.T + bias
    var = (x**2) @ (sigma**2).T  # sum_i x_i^2 sigma_ji^2
    torch.manual_seed(1)
    with torch.no_grad():
        d = torch.stack([layer(x.expand(128, 20)) - mean for _ in range(1000)])  # [F, N, 3]
    _check_moments(d.mean(1), (d**2).mean(1), var, max_rel_se=0.025)


def test_linear_rows_are_decorrelated_within_a_pass():
    layer, x, mu, _, bias = _linear_layer()
    torch.manual_seed(2)
    with torch.no_grad():
        d = torch.stack([layer(x.expand(512, 20)) for _ in range(100)]) - (x @ mu.T + bias)
    # without the sign flips every row of a pass would be identical (correlation 1)
    corr = (d[:, 0::2] * d[:, 1::2]).mean((0, 1)) / (d**2).mean((0, 1))
    # 100 * 256 sign-independent pairs: standard error ~ 1 / sqrt(25600) ~ 0.006
    assert corr.abs().max() < 0.03


def test_one_eps_per_forward_pass_and_independent_output_signs():
    # one input feature: row n, unit j gets r_nj s_n x sigma_j eps_j, so |deviation| is shared
    # by all rows of a pass; the product of two units' signs is r_n0 r_n1 sign(eps_0 eps_1),
    # constant within a pass without the output flips r and a fair coin with them
    layer = _set(FlipoutLinear(1, 2), torch.zeros(2, 1), torch.ones(2, 1), torch.zeros(2))
    torch.manual_seed(3)
    x = torch.ones(4096, 1)
    with torch.no_grad():
        a, b = layer(x), layer(x)
    assert torch.allclose(a.abs(), a[0].abs().expand_as(a))
    assert torch.allclose(b.abs(), b[0].abs().expand_as(b))
    assert not torch.allclose(a[0].abs(), b[0].abs())
    same_sign = (a[:, 0] * a[:, 1] > 0).float().mean().item()
    assert abs(same_sign - 0.5) < 0.04  # 5 standard errors of a fair coin over 4096 rows


def test_conv_mean_and_variance_match_closed_form():
    torch.manual_seed(0)
    mu = torch.randn(2, 8, 3, 3)
    sigma = torch.rand(2, 8, 3, 3) * 0.4 + 0.2
    bias = torch.tensor([0.1, -0.2])
    layer = _set(FlipoutConv2d(8, 2, 3, padding=1), mu, sigma, bias)
    x = torch.randn(1, 8, 4, 4)
    mean = F.conv2d(x, mu, bias, padding=1)[0]
    var = F.conv2d(x**2, sigma**2, padding=1)[0]
    torch.manual_seed(1)
    with torch.no_grad():
        d = torch.stack([layer(x.expand(32, -1, -1, -1)) - mean for _ in range(1500)])
    _check_moments(d.mean(1), (d**2).mean(1), var, max_rel_se=0.025)
    # rows of one pass are decorrelated; 1500 * 16 pairs per unit: standard error ~ 0.007
    corr = (d[:, 0::2] * d[:, 1::2]).mean((0, 1)) / (d**2).mean((0, 1))
    assert corr.abs().max() < 0.05


def test_conv_same_padding_keeps_size_and_bad_padding_is_rejected():
    layer = FlipoutConv2d(1, 4, 5, padding="same")
    assert layer(torch.randn(2, 1, 7, 7)).shape == (2, 4, 7, 7)
    with pytest.raises(GwinError, match="stride=1"):
        FlipoutConv2d(1, 4, 3, stride=2, padding="same")
    with pytest.raises(GwinError, match="padding"):
        FlipoutConv2d(1, 4, 3, padding="full")


def test_kl_matches_hand_computed_value():
    # KL(N(m, s^2) || N(0, 1)) = log(1/s) + (s^2 + m^2)/2 - 1/2
    # w1: m=0, s=1   -> 0 + 1/2 - 1/2                      = 0
    # w2: m=1, s=0.5 -> log 2 + (0.25 + 1)/2 - 1/2 = 0.693147 + 0.125 = 0.818147
    layer = _set(FlipoutLinear(2, 1), torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 0.5]]))
    kl = layer.kl()
    assert kl.item() == pytest.approx(0.8181472, abs=1e-6)
    kl.backward()
    # dKL/dmu = mu / prior_var
    assert torch.allclose(layer.weight_mu.grad, torch.tensor([[0.0, 1.0]]))


def test_kl_matches_torch_distributions_and_sums_over_model():
    torch.manual_seed(0)
    conv, lin = FlipoutConv2d(2, 3, 3), FlipoutLinear(4, 2)
    for layer in (conv, lin):
        q = torch.distributions.Normal(layer.weight_mu, layer.weight_sigma)
        p = torch.distributions.Normal(0.0, 1.0)
        ref = torch.distributions.kl_divergence(q, p).sum()
        assert torch.allclose(layer.kl(), ref, rtol=1e-5)
    model = nn.Sequential(conv, nn.Flatten(), lin)
    assert torch.allclose(kl_divergence(model), conv.kl() + lin.kl())
    assert kl_divergence(nn.Linear(2, 2)).item() == 0.0


def test_tfp_default_initialisation():
    torch.manual_seed(0)
    layer = FlipoutLinear(200, 100)
    assert layer.weight_mu.std().item() == pytest.approx(0.1, rel=0.05)
    assert layer.weight_sigma.mean().item() == pytest.approx(math.log1p(math.exp(-3.0)), rel=0.02)
    he = FlipoutLinear(200, 100, mu_std=None)
    assert he.weight_mu.std().item() == pytest.approx(math.sqrt(2 / 200), rel=0.05)


def test_deterministic_mode_uses_mean_weights_exactly():
    layer, _, mu, _, bias = _linear_layer()
    x = torch.randn(8, 20)
    model = nn.Sequential(layer)
    with deterministic(model):
        assert torch.equal(layer(x), F.linear(x, mu, bias))
    assert layer.deterministic is False  # restored
    assert not torch.equal(layer(x), F.linear(x, mu, bias))
    layer.deterministic = True
    assert torch.equal(layer(x), F.linear(x, mu, bias))


def test_gradients_reach_mu_and_rho_through_the_sampled_output():
    for layer, x in (
        (FlipoutLinear(5, 3), torch.randn(4, 5)),
        (FlipoutConv2d(2, 3, 3, padding="same"), torch.randn(4, 2, 6, 6)),
    ):
        layer(x).pow(2).sum().backward()  # no KL: rho's gradient must come from the sample
        for grad in (layer.weight_mu.grad, layer.weight_rho.grad, layer.bias.grad):
            assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0
