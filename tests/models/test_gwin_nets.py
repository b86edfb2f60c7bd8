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


def test_critic_is_conditioned_on_the_label():
    critic, x = Critic(8), torch.rand(1, 1, 28, 28)
    assert critic(x, torch.tensor([1])).item() != critic(x, torch.tensor([2])).item()


def test_paper_generator_width():
    gen = build_generator("dcgan", 64, 128)
    assert gen.fc.out_features == 4 * 4 * 4 * 64 and gen.fc.in_features == 784 + 128
