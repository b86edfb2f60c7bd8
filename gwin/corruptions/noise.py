"""Pixel-value corruptions: shot noise, impulse noise, brightness and fog.

Severities are MNIST-C's (the reference `corruptions.py` defaults, which the published
MNIST-C dataset uses): shot noise 5 of 5, impulse noise 4 of 5, brightness 5 of 5, fog 5 of 5.
"""

import math

import torch

from gwin.corruptions import _random

SHOT_PHOTONS = 3.0  # Poisson(x * 3) / 3: a white pixel is ~3 photons, so noise is heavy
IMPULSE_AMOUNT = 0.17  # fraction of pixels replaced by 0 or 1 (salt vs pepper 50/50)
BRIGHTNESS_SHIFT = 0.5  # added to the HSV value, which for a grey pixel is the pixel itself
FOG_STRENGTH = 3.0  # x + 3 * fog, rescaled so the image maximum stays put
FOG_WAVELENGTH = 64  # pixels: the fog's period, so a 28-px image sees a slice of a large cloud
FOG_MAX_FREQUENCY = 8  # cycles per period kept; beyond that the 1/f^2 amplitudes are < 1/64
# MNIST-C takes the top-left 28x28 of a 256x256 plasma fractal (wibbledecay 1.4) normalised to
# [0, 1] over the whole map. Measured on 300 reference crops: crop mean 0.525 (std 0.19 across
# images), within-crop std 0.060, neighbour |difference| / within-crop std = 0.137. A Fourier
# field with power ~ |k|^-4 (Hurst 0.97, i.e. log2 of the reference's per-level amplitude decay
# 1.4^2) and period 64 gives 0.130; the gain maps its mean within-crop std (1.294, measured over
# 20,000 draws) to 0.060.
FOG_MEAN, FOG_MEAN_SPREAD, FOG_TEXTURE_GAIN = 0.525, 0.19, 0.060 / 1.294


def shot_noise(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """clip(Poisson(3 x) / 3, 0, 1), sampled exactly by inverting the Poisson CDF.

    Only min(K, 3) matters after clipping, so three CDF values per pixel decide the output;
    that keeps the draw a uniform made on the CPU (device-independent) instead of
    torch.poisson on x's device.
    """
    rate = x * SHOT_PHOTONS
    u = _random.uniform(generator, tuple(x.shape), x)
    p0 = torch.exp(-rate)
    cdf1 = p0 * (1 + rate)
    cdf2 = cdf1 + p0 * rate * rate / 2
    k = (u >= p0).to(x.dtype) + (u >= cdf1).to(x.dtype) + (u >= cdf2).to(x.dtype)
    return (k / SHOT_PHOTONS).clamp(0.0, 1.0)


def impulse_noise(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Salt and pepper: each pixel independently becomes 0 or 1 with probability 0.17 in all.

    Same sampling as scikit-image's random_noise(mode='s&p', amount=0.17) that MNIST-C calls.
    """
    hit = _random.uniform(generator, tuple(x.shape), x) < IMPULSE_AMOUNT
    salt = _random.uniform(generator, tuple(x.shape), x) < 0.5
    return torch.where(hit, salt.to(x.dtype), x).clamp(0.0, 1.0)


def brightness(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Add 0.5 and clip: MNIST-C's HSV value shift reduces to this for grey images."""
    del generator  # deterministic, as in the reference
    return (x + BRIGHTNESS_SHIFT).clamp(0.0, 1.0)


def fog_field(n: int, generator: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    """[n, 1, H, W] smooth random clouds in [0, 1] with MNIST-C fog's crop statistics.

    A sum of sines and cosines (random Gaussian coefficients, amplitude |k|^-2) evaluated on the
    image grid only: a matrix product, so 10,000 fields cost one [n, 288] @ [288, H*W] GEMM.
    """
    h, w = like.shape[-2:]
    k = torch.arange(-FOG_MAX_FREQUENCY, FOG_MAX_FREQUENCY + 1, dtype=torch.float64)
    ky, kx = torch.meshgrid(k[FOG_MAX_FREQUENCY:], k, indexing="ij")
    keep = (ky > 0) | (kx > 0)  # one of each +-k pair, and no constant term
    kx, ky = kx[keep], ky[keep]
    amplitude = (kx**2 + ky**2) ** -1.0
    rows = torch.arange(h, dtype=torch.float64)[:, None]
    cols = torch.arange(w, dtype=torch.float64)[None, :]
    phase = (2 * math.pi / FOG_WAVELENGTH) * (kx[:, None, None] * cols + ky[:, None, None] * rows)
    basis = torch.cat([torch.cos(phase), torch.sin(phase)]).reshape(-1, h * w)
    basis = (basis * amplitude.repeat(2)[:, None]).to(device=like.device, dtype=like.dtype)
    coefficients = _random.normal(generator, (n, basis.shape[0]), like)
    texture = coefficients @ basis
    texture = texture - texture.mean(dim=1, keepdim=True)
    level = FOG_MEAN + FOG_MEAN_SPREAD * _random.normal(generator, (n, 1), like)
    return (level + FOG_TEXTURE_GAIN * texture).clamp(0.0, 1.0).reshape(n, 1, h, w)


def fog(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """(x + 3 fog) * max / (max + 3), MNIST-C severity 5: a grey cloud, digit contrast / 4."""
    peak = x.amax(dim=(1, 2, 3), keepdim=True)
    cloud = fog_field(x.shape[0], generator, x)
    return ((x + FOG_STRENGTH * cloud) * peak / (peak + FOG_STRENGTH)).clamp(0.0, 1.0)
