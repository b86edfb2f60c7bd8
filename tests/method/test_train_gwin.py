"""Algorithm 1: gradient penalty, the transformation penalty's gradient path, resume."""

import torch
from torch import nn

from gwin.config import TrialConfig
from gwin.data.datasets import Split
from gwin.method.train_gwin import WGWINTrainer, gradient_penalty
from gwin.models.gwin_nets import Critic, ResidualGenerator


class LinearCritic(nn.Module):
    """D(x, y) = sum(w * x) * scale[y]: grad_x D = w * scale[y], known in closed form."""

    def __init__(self, w, scale):
        super().__init__()
        self.w, self.scale = nn.Parameter(w), nn.Parameter(scale)

    def forward(self, x, y):
        return (x * self.w).flatten(1).sum(1) * self.scale[y]


def test_gradient_penalty_matches_closed_form():
    w = torch.zeros(1, 28, 28)
    w[0, 0, 0], w[0, 0, 1] = 3.0, 4.0  # ||w|| = 5
    critic = LinearCritic(w, torch.tensor([1.0, 0.2]))
    x_hat, y = torch.rand(2, 1, 28, 28), torch.tensor([0, 1])
    # ||grad|| = 5 * scale[y] -> (5 - 1)^2 = 16 and (1 - 1)^2 = 0; mean 8.
    assert torch.isclose(gradient_penalty(critic, x_hat, y), torch.tensor(8.0))


def test_gradient_penalty_is_differentiable_in_the_critic():
    w = torch.zeros(1, 28, 28)
    w[0, 0, 0] = 2.0
    critic = LinearCritic(w, torch.tensor([1.0]))
    gradient_penalty(critic, torch.rand(1, 1, 28, 28), torch.tensor([0])).backward()
    # d/dw00 (|w00| - 1)^2 = 2 (2 - 1) = 2
    assert torch.isclose(critic.w.grad[0, 0, 0], torch.tensor(2.0))


class TinyClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return self.fc(x.flatten(1))


def make_trainer(**overrides):
    torch.manual_seed(0)
    settings = {"batch_size": 8, "n_critic": 2, "iterations": 4, **overrides}
    cfg = TrialConfig.from_preset("smoke", **settings)
    data = Split(torch.rand(32, 1, 28, 28), torch.randint(0, 10, (32,)))
    gen, critic, clf = ResidualGenerator(cfg.dim, cfg.z_dim), Critic(cfg.dim), TinyClassifier()
    return WGWINTrainer(gen, critic, clf, data, data, cfg), clf


def test_generator_step_reaches_g_through_frozen_classifier():
    trainer, clf = make_trainer(lambda_loss=10.0)
    before = {k: v.clone() for k, v in clf.state_dict().items()}
    trainer.generator_step()
    # The residual generator's last layer starts at zero, so only the CE path through C (and D)
    # can move it; a non-zero gradient there proves the gradient flowed through C into G.
    assert trainer.generator.up3.weight.grad.abs().sum() > 0
    assert all(p.grad is None and not p.requires_grad for p in clf.parameters())
    assert all(torch.equal(v, clf.state_dict()[k]) for k, v in before.items())
    assert all(p.grad is None for p in trainer.critic.parameters())


def test_transformation_penalty_alone_moves_g():
    # With the critic's head zeroed, L_G's only gradient source is lambda_Loss * CE(C(G(x,z)), y).
    trainer, _ = make_trainer(lambda_loss=1.0)
    nn.init.zeros_(trainer.critic.out.weight)
    trainer.generator_step()
    assert trainer.generator.up3.weight.grad.abs().sum() > 0
    trainer2, _ = make_trainer(lambda_loss=0.0)
    nn.init.zeros_(trainer2.critic.out.weight)
    trainer2.generator_step()
    assert trainer2.generator.up3.weight.grad.abs().sum() == 0


def test_critic_off_trains_g_on_the_transformation_penalty_alone():
    # use_critic=False: no critic step at all, and G's gradient is exactly lambda * dCE/dG.
    trainer, clf = make_trainer(use_critic=False, lambda_loss=2.0)
    d_before = [p.clone() for p in trainer.critic.parameters()]
    x, y = trainer.train.x[:8], trainer.train.y[:8]
    z = torch.randn(8, trainer.cfg.z_dim)
    ce = nn.functional.cross_entropy(clf(trainer.generator(x, z)), y)
    (expected,) = torch.autograd.grad(2.0 * ce, trainer.generator.up3.weight)
    trainer._batch = lambda split: (x, y)
    trainer._noise = lambda n: z
    trainer.generator_step()
    assert torch.allclose(trainer.generator.up3.weight.grad, expected, atol=1e-7)
    losses = trainer.step()
    assert set(losses) == {"generator_loss", "ce"}
    assert all(
        torch.equal(a, b) for a, b in zip(d_before, trainer.critic.parameters(), strict=True)
    )


def test_critic_step_only_updates_the_critic():
    trainer, _ = make_trainer()
    g_before = [p.clone() for p in trainer.generator.parameters()]
    d_before = [p.clone() for p in trainer.critic.parameters()]
    trainer.critic_step()
    assert all(
        torch.equal(a, b) for a, b in zip(g_before, trainer.generator.parameters(), strict=True)
    )
    assert any(
        not torch.equal(a, b) for a, b in zip(d_before, trainer.critic.parameters(), strict=True)
    )


def test_resume_from_state_is_bit_identical():
    full, _ = make_trainer(iterations=4)
    full.fit()
    part, _ = make_trainer(iterations=2)
    part.fit()
    state = part.state_dict()
    resumed, _ = make_trainer(iterations=4)
    torch.manual_seed(123)  # a different RNG state must be overwritten by the checkpoint
    resumed.load_state_dict(state)
    resumed.fit()
    assert resumed.iteration == 4
    for a, b in zip(full.generator.parameters(), resumed.generator.parameters(), strict=True):
        assert torch.equal(a, b)
