"""Blur corruptions: glass blur and motion blur, as convolutions and shifted copies.

Severities are MNIST-C's (reference defaults, as in the published dataset): glass blur 1 of 5
(sigma 0.7, pixels moved by at most one step per swap, 2 iterations), motion blur 1 of 5
(ImageMagick radius 10, sigma 3, angle uniform in [-45, 45] degrees). Both are the mildest
level because a 28x28 digit's strokes are 2-3 pixels wide: stronger blurs erase them.
"""

import math

import torch

from gwin.corruptions import _random

GLASS_SIGMA = 0.7  # Gaussian blur before and after the shuffle
GLASS_ITERATIONS = 2
MOTION_SIGMA = 3.0  # pixels: the one-sided Gaussian weight along the streak
MOTION_MAX_ANGLE = math.pi / 4  # streak direction uniform in [-45, 45] degrees
# Taps beyond 11 pixels weigh < 1e-3 of the first (exp(-12^2 / 18)); ImageMagick's radius 10
# kernel has 21 taps but the rest carry 0.06% of the mass.
MOTION_TAPS = 12


def _blur_matrix(size: int, sigma: float, like: torch.Tensor) -> torch.Tensor:
    """[size, size] matrix M with (M @ v) = v blurred by a Gaussian, edges replicated."""
    radius = int(4 * sigma + 0.5)
    taps = torch.arange(-radius, radius + 1, dtype=torch.float64)
    kernel = torch.exp(-(taps**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    out = torch.arange(size)[:, None]
    source = (out + taps.long()[None, :]).clamp(0, size - 1)  # replicate = clamp the index
    matrix = torch.zeros(size, size, dtype=torch.float64)
    matrix.index_put_((out.expand_as(source), source), kernel.expand_as(source), accumulate=True)
    return matrix.to(device=like.device, dtype=like.dtype)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian, radius round(4 sigma), edges replicated: scipy.ndimage's defaults
    (truncate=4, mode='nearest') that skimage.filters.gaussian uses in MNIST-C.

    Written as rows @ x @ cols.T with banded matrices: two small batched GEMMs are several
    times faster on the CPU than conv2d with one input channel.
    """
    rows = _blur_matrix(x.shape[-2], sigma, x)
    cols = _blur_matrix(x.shape[-1], sigma, x)
    return rows @ x @ cols.T


def _swap_neighbours(x: torch.Tensor, generator: torch.Generator, offset: int) -> torch.Tensor:
    """Swap horizontally adjacent pixel pairs (columns offset+2j, offset+2j+1), each pair with
    probability 1/2. Disjoint pairs make the batched version a true permutation, like the
    reference's sequential swaps, so the blurred image's pixel values are only moved around."""
    w = x.shape[-1]
    end = offset + 2 * ((w - offset) // 2)
    left, right = x[..., offset:end:2], x[..., offset + 1 : end : 2]
    flip = _random.uniform(generator, tuple(left.shape), x) < 0.5
    pairs = torch.stack([torch.where(flip, right, left), torch.where(flip, left, right)], dim=-1)
    return torch.cat([x[..., :offset], pairs.flatten(-2), x[..., end:]], dim=-1)


def glass_shuffle(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Locally permute pixels: per iteration, a horizontal then a vertical pass of pair swaps.

    The reference visits every pixel and swaps it with a random neighbour one pixel away with
    probability 1/2, one pixel at a time in Python (~1.5 swaps per pixel over 2 iterations);
    alternating pair offsets gives ~2 swaps per pixel in four vectorised passes.
    """
    for i in range(GLASS_ITERATIONS):
        offset = i % 2
        x = _swap_neighbours(x, generator, offset)
        x = _swap_neighbours(x.transpose(-1, -2), generator, offset).transpose(-1, -2)
    return x


def glass_blur(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Blur (sigma 0.7), shuffle neighbouring pixels, blur again: frosted-glass look."""
    out = glass_shuffle(gaussian_blur(x, GLASS_SIGMA), generator)
    return gaussian_blur(out, GLASS_SIGMA).clamp(0.0, 1.0)


def motion_streak(x: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """One-sided motion blur along `angle` (radians, per image; 0 = towards +column).

    ImageMagick's MotionBlurImage: output(p) = sum_i w_i input(p + i (cos a, sin a)),
    w_i ~ exp(-i^2 / (2 sigma^2)), i = 0, 1, ...; sub-pixel reads are bilinear, zero outside.
    Bilinear reads at fixed offsets are a per-image correlation kernel, applied by FFT on a
    zero-padded grid large enough that nothing wraps around.
    """
    n, c, h, w = x.shape
    size_h, size_w = h + MOTION_TAPS, w + MOTION_TAPS
    steps = torch.arange(MOTION_TAPS, dtype=x.dtype, device=x.device)
    weights = torch.exp(-(steps**2) / (2 * MOTION_SIGMA**2))
    weights = weights / weights.sum()
    # Offsets (x = column, y = row) of every tap, [N, T], then their 4 bilinear corners.
    ox = steps[None, :] * torch.cos(angle)[:, None]
    oy = steps[None, :] * torch.sin(angle)[:, None]
    x0, y0 = torch.floor(ox), torch.floor(oy)
    fx, fy = ox - x0, oy - y0
    kernel = torch.zeros(n, size_h * size_w, dtype=x.dtype, device=x.device)
    for dx, dy, share in (
        (0, 0, (1 - fx) * (1 - fy)),
        (1, 0, fx * (1 - fy)),
        (0, 1, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        # Negative offsets wrap to the padded end, which the zero padding keeps harmless.
        index = (y0.long() + dy) % size_h * size_w + (x0.long() + dx) % size_w
        kernel.scatter_add_(1, index, weights[None, :] * share)
    kernel = kernel.view(n, 1, size_h, size_w)
    spectrum = torch.fft.rfft2(x, s=(size_h, size_w)) * torch.fft.rfft2(kernel).conj()
    return torch.fft.irfft2(spectrum, s=(size_h, size_w))[..., :h, :w]


def motion_blur(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Streak each image along a random direction in [-45, 45] degrees (MNIST-C severity 1)."""
    u = _random.uniform(generator, (x.shape[0],), x)
    angle = (2 * u - 1) * MOTION_MAX_ANGLE
    return motion_streak(x, angle).clamp(0.0, 1.0)
