"""MC dropout, deep ensemble and softmax LeNet-5: draws, statistics, joint training, cache."""

import copy

import pytest
import torch
import torch.nn.functional as F

from gwin.cache import built_on, cache_key, classifier_fields
from gwin.config import TrialConfig
from gwin.data.datasets import Split
from gwin.method.train_classifier import train_classifier
from gwin.metrics.certainty import mc_summary
from gwin.models.deterministic import DEFAULT_DROPOUT, DEFAULT_ENSEMBLE_SIZE, MCDropout
from gwin.models.registry import CLASSIFIERS, build_classifier
from gwin.names import CLASSIFIERS as CONFIG_NAMES

HERE = built_on(torch.device("cpu"), threads=1)  # where a test's classifier is "built"

pytestmark = pytest.mark.usefixtures("one_thread")
VARIANTS = ("lenet5_dropout", "lenet5_ensemble", "lenet5_softmax")


def test_config_names_and_defaults_are_the_models():
    assert CONFIG_NAMES == tuple(CLASSIFIERS)
    defaults = TrialConfig.from_preset("smoke")
    assert defaults.dropout == DEFAULT_DROPOUT
    assert defaults.ensemble_size == DEFAULT_ENSEMBLE_SIZE


@pytest.mark.parametrize(
    ("name", "draws"), [("lenet5_dropout", 7), ("lenet5_ensemble", 5), ("lenet5_softmax", 1)]
)
def test_draws_have_the_right_shape_and_sum_to_one(name, draws):
    torch.manual_seed(0)
    model = build_classifier(name).eval()
    probs = model.mc_probs(torch.rand(4, 1, 28, 28), samples=7)
    assert probs.shape == (draws, 4, 10)
    assert torch.allclose(probs.sum(-1), torch.ones(draws, 4), atol=1e-5)
    assert (probs >= 0).all()


def test_mc_dropout_layer_is_unbiased_and_drops_at_rate_p():
    torch.manual_seed(0)
    p, n = 0.5, 4000
    x = torch.linspace(0.5, 2.0, 16)
    layer = MCDropout(p).eval()  # stays on in eval mode
    draws = torch.stack([layer(x) for _ in range(n)])
    # each draw keeps x / (1 - p) or 0: mean x, std x * sqrt(p / (1 - p)) per draw
    sd_of_mean = x * (p / (1 - p)) ** 0.5 / n**0.5
    assert ((draws.mean(0) - x).abs() < 5 * sd_of_mean).all()
    dropped = (draws == 0).float().mean()
    assert abs(dropped - p) < 5 * (p * (1 - p) / draws.numel()) ** 0.5


def test_mc_dropout_draws_differ_and_average_to_the_deterministic_net():
    torch.manual_seed(0)
    model = build_classifier("lenet5_dropout").eval()
    x = torch.rand(3, 1, 28, 28)
    probs = model.mc_probs(x, samples=2)
    assert not torch.allclose(probs[0], probs[1])
    first, second = [m for m in model.modules() if isinstance(m, MCDropout)]
    with torch.no_grad():
        first.p = 0.0  # then the logits are linear in the one remaining dropout mask
        draws = torch.stack([model(x) for _ in range(3000)])
        second.p = 0.0
        deterministic = model(x)  # dropout off = the net with inverted-dropout scaling
    sd_of_mean = draws.std(0) / draws.shape[0] ** 0.5
    assert ((draws.mean(0) - deterministic).abs() < 5 * sd_of_mean + 1e-6).all()


def test_ensemble_draws_are_exactly_its_members_outputs():
    torch.manual_seed(0)
    model = build_classifier("lenet5_ensemble", members=3)
    x = torch.rand(5, 1, 28, 28)
    probs = model.mc_probs(x, samples=10)
    assert probs.shape[0] == 3
    for k in range(3):
        assert torch.allclose(probs[k], model.member(k)(x).softmax(-1), atol=1e-6)
    assert not torch.allclose(probs[0], probs[1])  # independently initialised
    # one draw per row: every row of forward() is one member's logits for that row
    logits = model.member_logits(x)
    rows = model(x)
    for i in range(5):
        assert any(torch.allclose(rows[i], logits[k, i], atol=1e-6) for k in range(3))


def _quadrants(n=48, size=12, classes=4):
    y = torch.arange(n) % classes
    x = torch.rand(n, 1, size, size) * 0.2
    for i, label in enumerate(y.tolist()):
        r, c = divmod(label, 2)
        x[i, 0, r * 6 : r * 6 + 6, c * 6 : c * 6 + 6] += 0.8
    return Split(x, y)


def test_training_the_ensemble_is_training_each_member_alone():
    data = _quadrants()
    torch.manual_seed(0)
    ensemble = build_classifier("lenet5_ensemble", num_classes=4, image_size=12, members=2)
    alone = [copy.deepcopy(ensemble.member(k)) for k in range(2)]
    torch.manual_seed(1)
    train_classifier(ensemble, data, epochs=2, lr=1e-3, batch_size=16)

    torch.manual_seed(1)  # the same shuffles: one permutation per member per epoch
    orders = [[torch.randperm(len(data)) for _ in range(2)] for _ in range(2)]
    for k, net in enumerate(alone):
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        for epoch in range(2):
            for start in range(0, len(data), 16):
                idx = orders[epoch][k][start : start + 16]
                loss = F.cross_entropy(net(data.x[idx]), data.y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        trained = ensemble.member(k).state_dict()
        for name, value in net.state_dict().items():
            assert torch.allclose(trained[name], value, atol=1e-5), (k, name)


def test_softmax_certainty_is_its_max_probability():
    torch.manual_seed(0)
    model = build_classifier("lenet5_softmax").eval()
    x = torch.rand(6, 1, 28, 28)
    summary = mc_summary(model.mc_probs(x, samples=10))
    probs = model(x).softmax(-1)
    assert torch.allclose(summary.certainty, probs.max(-1).values)
    assert torch.equal(summary.pred, probs.argmax(-1))


@pytest.mark.parametrize("name", VARIANTS)
def test_generator_gradient_reaches_the_input_through_a_frozen_variant(name):
    torch.manual_seed(0)
    model = build_classifier(name).eval().requires_grad_(False)
    x = torch.rand(2, 1, 28, 28, requires_grad=True)
    F.cross_entropy(model(x), torch.tensor([1, 2])).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.parameters())


def test_cache_key_distinguishes_variants_and_their_options():
    base = TrialConfig.from_preset("smoke")

    def key(**changes):
        return cache_key(classifier_fields(base.replace(**changes), HERE))

    keys = {key(classifier=name) for name in CLASSIFIERS}
    assert len(keys) == len(CLASSIFIERS)
    ensemble = key(classifier="lenet5_ensemble")
    assert key(classifier="lenet5_ensemble", ensemble_size=3) != ensemble
    assert key(classifier="lenet5_dropout", dropout=0.25) != key(classifier="lenet5_dropout")
    # options of other classifiers leave a classifier's key (and its cached artifact) alone
    assert key(ensemble_size=3, dropout=0.25) == key()
    assert key(classifier="lenet5_ensemble", dropout=0.25) == ensemble
