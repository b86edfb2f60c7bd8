"""Random draws for the corruptions, always made on the CPU from the caller's generator.

Drawing on the CPU and then moving the tensor is what makes a (images, name, seed) triple give
the same corrupted images on a laptop and on a GPU node: CUDA generators produce different
streams from the same seed.
"""

import torch


def uniform(generator: torch.Generator, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """U[0, 1) of `shape`, drawn on the CPU, on `like`'s device and dtype."""
    return torch.rand(shape, generator=generator).to(device=like.device, dtype=like.dtype)


def normal(generator: torch.Generator, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """N(0, 1) of `shape`, drawn on the CPU, on `like`'s device and dtype."""
    return torch.randn(shape, generator=generator).to(device=like.device, dtype=like.dtype)


def integers(
    generator: torch.Generator, low: int, high: int, n: int, like: torch.Tensor
) -> torch.Tensor:
    """n integers in [low, high) (numpy's randint convention), as `like`'s dtype and device."""
    draw = torch.randint(low, high, (n,), generator=generator)
    return draw.to(device=like.device, dtype=like.dtype)


def signs(generator: torch.Generator, n: int, like: torch.Tensor) -> torch.Tensor:
    """n values in {-1, +1} with equal probability: MNIST-C's 'randomly switch directions'."""
    return integers(generator, 0, 2, n, like) * 2 - 1
