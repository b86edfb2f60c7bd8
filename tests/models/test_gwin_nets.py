import torch

from gwin.models.gwin_nets import Critic, DCGANGenerator, ResidualGenerator, build_generator


def test_shapes_and_range():
    x, z, y = torch.rand(3, 1, 28, 28), torch.randn(3, 16), torch.tensor([0, 4, 9])
    for gen in (DCGANGenerator(8, 16), ResidualGenerator(8, 16)):
        out = gen(x, z)
        assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert Critic(8).forward(x, y).shape == (3,)


def test_residual_generator_starts_as_identity():
    x = torch.rand(4, 1, 28, 28).clamp(0.01, 0.99)
    out = ResidualGenerator(8, 16)(x, torch.randn(4, 16))
    assert torch.allclose(out, x, atol=1e-5)


def test_generator_uses_noise_and_observation():
    gen = DCGANGenerator(8, 16)
    x, z = torch.rand(2, 1, 28, 28), torch.randn(2, 16)
    assert not torch.allclose(gen(x, z), gen(x, torch.randn(2, 16)))
    assert not torch.allclose(gen(x, z), gen(torch.rand(2, 1, 28, 28), z))


def _label_weights(critic: Critic) -> torch.Tensor:
    """The weights that multiply one-hot(y): the last K input columns of the first Linear layer
    that takes [features, one-hot(y)]."""
    joint = next(
        m for m in critic.modules() if isinstance(m, torch.nn.Linear) and m.in_features > 10
    )
    return joint.weight[:, -critic.num_classes :]


def test_label_changes_how_the_critic_judges_an_image():
    # A head linear in [features, one-hot(y)] gives D(x, y) = w . h(x) + b_y: then
    # D(x, 0) - D(x, 3) is one constant for every x. A conditional critic must not.
    torch.manual_seed(0)
    critic, x = Critic(8), torch.rand(16, 1, 28, 28)
    with torch.no_grad():
        gap = critic(x, torch.zeros(16, dtype=torch.long)) - critic(x, torch.full((16,), 3))
    assert gap.std() > 1e-3 * gap.abs().mean().clamp_min(1e-3)
    assert gap.max() - gap.min() > 1e-4


def test_critic_input_gradient_depends_on_the_label():
    # The gradient penalty and the generator's gradient see dD/dx only: it must differ by label.
    torch.manual_seed(0)
    critic = Critic(8)
    x = torch.rand(4, 1, 28, 28, requires_grad=True)
    (g0,) = torch.autograd.grad(critic(x, torch.zeros(4, dtype=torch.long)).sum(), x)
    (g3,) = torch.autograd.grad(critic(x, torch.full((4,), 3)).sum(), x)
    assert (g0 - g3).abs().max() > 1e-3 * g0.abs().max()


def test_label_weights_learn_in_a_critic_step():
    # L_D = D(x', y) - D(x, y) + GP: a per-class constant cancels, so its weights get no gradient.
    from gwin.method.train_gwin import gradient_penalty

    torch.manual_seed(0)
    critic = Critic(8)
    x, fake = torch.rand(32, 1, 28, 28), torch.rand(32, 1, 28, 28)
    y = torch.arange(32) % 10
    eps = torch.rand(32, 1, 1, 1)
    loss = critic(fake, y).mean() - critic(x, y).mean()
    loss = loss + 10 * gradient_penalty(critic, eps * x + (1 - eps) * fake, y)
    loss.backward()
    weights = next(
        m for m in critic.modules() if isinstance(m, torch.nn.Linear) and m.in_features > 10
    ).weight
    assert weights.grad[:, -critic.num_classes :].abs().max() > 1e-6
    assert _label_weights(critic).shape[1] == 10


def test_paper_generator_width():
    gen = build_generator("dcgan", 64, 128)
    assert gen.fc.out_features == 4 * 4 * 4 * 64 and gen.fc.in_features == 784 + 128
