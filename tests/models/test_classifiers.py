"""Bayesian classifiers: shapes, batched MC draws, KL, registry and a short training run."""

import math

import pytest
import torch
import torch.nn.functional as F

from gwin.errors import GwinError
from gwin.layers import FlipoutLinear, deterministic
from gwin.layers.flipout import FlipoutLayer
from gwin.models.classifiers import BAYESIAN, BayesianCNN, BayesianLeNet5, MCClassifier
from gwin.models.registry import build_classifier

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(0)
    return {name: build_classifier(name) for name in BAYESIAN}


def test_logit_shapes_and_lenet_layout(models):
    x = torch.rand(3, 1, 28, 28)
    for model in models.values():
        assert isinstance(model, MCClassifier)
        assert model(x).shape == (3, 10)
    # TFP example: three 'SAME' convolutions, two 2x2 pools -> 7 * 7 * 120 features
    dense = [m for m in models["lenet5"].modules() if isinstance(m, FlipoutLinear)]
    assert [(d.in_features, d.out_features) for d in dense] == [(7 * 7 * 120, 84), (84, 10)]
    odd = BayesianLeNet5(num_classes=4, image_size=13)  # 13 -> 7 -> 4 as TF's SAME pooling
    assert odd(torch.rand(2, 1, 13, 13)).shape == (2, 4)


def test_mc_probs_is_one_forward_per_draw(models):
    x = torch.rand(4, 1, 28, 28)
    for model in models.values():
        torch.manual_seed(7)
        probs = model.mc_probs(x, samples=5)
        assert probs.shape == (5, 4, 10)
        assert torch.allclose(probs.sum(-1), torch.ones(5, 4), atol=1e-5)
        assert not torch.allclose(probs[0], probs[1])  # each draw sees its own weights
        torch.manual_seed(7)
        reference = torch.stack([model(x).softmax(-1) for _ in range(5)])
        assert torch.allclose(probs, reference)
    with pytest.raises(GwinError, match="samples"):
        models["lenet5"].mc_probs(x, samples=0)


def test_gradients_flow_through_frozen_classifier_to_input(models):
    # the generator loss backpropagates through C with C's parameters frozen
    model = models["lenet5"]
    model.requires_grad_(False)
    try:
        x = torch.rand(2, 1, 28, 28, requires_grad=True)
        model.mc_probs(x, samples=3)[..., 0].sum().backward()
        assert x.grad is not None and x.grad.abs().sum() > 0
    finally:
        model.requires_grad_(True)


def test_deterministic_mode_gives_identical_draws(models):
    x = torch.rand(2, 1, 28, 28)
    with deterministic(models["bcnn"]):
        probs = models["bcnn"].mc_probs(x, samples=3)
    assert torch.allclose(probs[0], probs[1]) and torch.allclose(probs[1], probs[2])


def test_kl_positive_and_bcnn_is_bigger(models):
    for model in models.values():
        kl = model.kl()
        assert kl.item() > 0 and kl.requires_grad

    def count(model):
        return sum(p.numel() for p in model.parameters())

    assert count(models["bcnn"]) > count(models["lenet5"])
    assert count(BayesianCNN(width=16)) < count(models["bcnn"])


def test_registry_and_unknown_name():
    assert isinstance(build_classifier("lenet5", num_classes=3), BayesianLeNet5)
    assert build_classifier("bcnn", width=8)(torch.rand(1, 1, 28, 28)).shape == (1, 10)
    with pytest.raises(GwinError, match=r"\['bcnn', 'lenet5', 'lenet5_dropout'"):
        build_classifier("resnet")


def test_short_training_reduces_negative_elbo():
    # 4 classes on 12x12 images: class k lights up quadrant k; small size keeps it ~1 s
    torch.manual_seed(0)
    n, size, k = 64, 12, 4
    y = torch.arange(n) % k
    x = torch.rand(n, 1, size, size) * 0.2
    for i, label in enumerate(y.tolist()):
        r, c = divmod(label, 2)
        x[i, 0, r * 6 : r * 6 + 6, c * 6 : c * 6 + 6] += 0.8
    model = BayesianLeNet5(num_classes=k, image_size=size)
    kl_scale = 1 / 60_000  # as for an MNIST-sized training set

    def evaluate():
        torch.manual_seed(123)
        with torch.no_grad():
            probs = model.mc_probs(x, samples=4)
            nll = -probs.gather(2, y.view(1, -1, 1).expand(4, -1, 1)).log().mean()
            acc = (probs.mean(0).argmax(1) == y).float().mean()
            return (nll + kl_scale * model.kl()).item(), nll.item(), acc.item()

    elbo_before, nll_before, _ = evaluate()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(20):
        idx = torch.randint(0, n, (32,))
        loss = F.cross_entropy(model(x[idx]), y[idx]) + kl_scale * model.kl()
        opt.zero_grad()
        loss.backward()
        opt.step()
    elbo_after, nll_after, acc = evaluate()
    assert elbo_after < elbo_before - 0.5
    assert nll_after < 0.5 * nll_before and acc == 1.0


def _first_layer_perturbations(model, x, samples):
    """What the first Flipout layer added to its mean output in each of the T draws, [T, B, ...]."""
    first = next(m for m in model.modules() if isinstance(m, FlipoutLayer))
    outputs = []
    handle = first.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach()))
    try:
        with torch.no_grad():
            model.mc_probs(x, samples)
    finally:
        handle.remove()
    with torch.no_grad(), deterministic(model):
        mean = first(x)
    return torch.cat(outputs).view(samples, *mean.shape) - mean


def test_monte_carlo_draws_of_one_input_are_fresh_posterior_samples(models):
    # One Flipout perturbation shared by the T copies of an input only flips signs: with one
    # input channel, every draw would see +-(the same perturbation), one magnitude for all T.
    torch.manual_seed(3)
    x = torch.rand(2, 1, 28, 28)
    for model in models.values():
        delta = _first_layer_perturbations(model, x, samples=6)
        magnitude = delta.abs()
        assert not torch.allclose(magnitude[1:], magnitude[0].expand_as(magnitude[1:]), atol=1e-6)


def test_draws_are_independent_and_follow_the_posterior():
    # A 1-input, 1-output FlipoutLinear: draw t of x is mu*x + sigma*eps_t*x + b. Across many
    # inputs-worth of draws, the draws of one input must be uncorrelated with variance
    # (sigma*x)^2; a shared eps gives correlation +-1.
    class One(MCClassifier):
        num_classes = 1

        def __init__(self):
            super().__init__()
            self.layer = FlipoutLinear(1, 1)

        def forward(self, x):
            return self.layer(x)

    model = One()
    with torch.no_grad():
        model.layer.weight_mu.fill_(0.5)
        model.layer.weight_rho.fill_(math.log(math.expm1(0.3)))  # sigma = 0.3
        model.layer.bias.fill_(0.0)
    torch.manual_seed(0)
    x = torch.full((1, 1), 2.0)
    outputs = []
    hook = model.layer.register_forward_hook(lambda _m, _i, out: outputs.append(out.flatten()))
    with torch.no_grad():
        for _ in range(2000):
            model.mc_probs(x, samples=2)
    hook.remove()
    d = torch.cat(outputs).view(2000, 2) - 1.0  # [repetitions, draws], minus the mean mu * x
    assert abs(d.var().item() - 0.36) < 0.05  # (0.3 * 2)^2
    assert abs(torch.corrcoef(d.T)[0, 1].item()) < 0.1
    assert abs(d[:, 0].abs() - d[:, 1].abs()).mean() > 0.1
