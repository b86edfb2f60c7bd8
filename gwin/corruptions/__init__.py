"""Seeded, deterministic corrupted copies of a test split, after MNIST-C.

MNIST-C (Mu & Gilmer 2019, "MNIST-C: A Robustness Benchmark for Computer Vision") corrupts each
test image with one fixed severity per corruption, chosen so the digit stays legible to people
while classifiers degrade. Each corruption here uses the reference code's severity
(google-research/mnist-c `corruptions.py`) and reproduces its operation in batched torch, so a
whole split is corrupted in well under a second and on any device:

| name          | severity (MNIST-C level)                                                      |
| ------------- | ----------------------------------------------------------------------------- |
| shot_noise    | clip(Poisson(3x) / 3) (5 of 5)                                                |
| impulse_noise | 17% of pixels set to 0 or 1, half each (4 of 5)                               |
| glass_blur    | Gaussian sigma 0.7, local pixel swaps, 2 iterations, blur again (1 of 5)      |
| motion_blur   | one-sided Gaussian streak, sigma 3 px, angle U[-45, 45] degrees (1 of 5)      |
| shear         | shear angle +-0.4 rad, random sign (2 of 5)                                   |
| scale         | digit shrunk to 70% about the centre (3 of 5)                                 |
| rotate        | +-0.4 rad (~23 degrees), random sign (2 of 5)                                 |
| brightness    | x + 0.5, clipped (5 of 5)                                                     |
| translate     | 3 px along each axis, random signs (3 of 5)                                   |
| stripe        | the 7 leftmost and rightmost columns inverted (no levels)                     |
| fog           | (x + 3 fog) max / (max + 3), smooth random cloud (5 of 5)                     |
| zigzag        | a random zigzag line across columns 2-25 (no levels)                          |
| dotted_line   | a random dashed line across the image (no levels)                             |

Not included from MNIST-C's 15: spatter and canny_edges (and 'identity', which is the clean
split, corruption 'none' in the results schema). Randomness is per image but drawn in one
stream for the batch, so corrupt the whole split in one call to reproduce it.
"""

from collections.abc import Callable

import torch

from gwin.corruptions.blur import glass_blur, motion_blur
from gwin.corruptions.geometry import rotate, scale, shear, translate
from gwin.corruptions.noise import brightness, fog, impulse_noise, shot_noise
from gwin.corruptions.overlay import dotted_line, stripe, zigzag
from gwin.errors import GwinError
from gwin.names import CORRUPTIONS as CORRUPTION_NAMES
from gwin.names import check_registry

Corruption = Callable[[torch.Tensor, torch.Generator], torch.Tensor]

# MNIST-C's order.
CORRUPTIONS: dict[str, Corruption] = {
    "shot_noise": shot_noise,
    "impulse_noise": impulse_noise,
    "glass_blur": glass_blur,
    "motion_blur": motion_blur,
    "shear": shear,
    "scale": scale,
    "rotate": rotate,
    "brightness": brightness,
    "translate": translate,
    "stripe": stripe,
    "fog": fog,
    "dotted_line": dotted_line,
    "zigzag": zigzag,
}
check_registry("CORRUPTIONS", CORRUPTION_NAMES, CORRUPTIONS)


def corruption_names() -> list[str]:
    """The valid corruption names, in MNIST-C's order."""
    return list(CORRUPTIONS)


def corrupt(x: torch.Tensor, name: str, seed: int) -> torch.Tensor:
    """Corrupted copy of images x ([N, 1, 28, 28], floats in [0, 1]) on x's device and dtype.

    The same (x, name, seed) always gives the same result, on CPU and GPU alike: the
    generator lives on the CPU and every random tensor is drawn there before moving to x.
    """
    if name not in CORRUPTIONS:
        raise GwinError(f"unknown corruption {name!r}; use one of: {', '.join(corruption_names())}")
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise GwinError(
            f"corrupt expects images shaped [N, 1, 28, 28], got {list(x.shape)}; "
            "add the channel axis with x.unsqueeze(1)"
        )
    if not x.is_floating_point():
        raise GwinError(
            f"corrupt expects float images in [0, 1], got dtype {x.dtype}; use x.float() / 255"
        )
    if x.numel() and (x.min() < 0 or x.max() > 1):
        raise GwinError(
            f"corrupt expects pixel values in [0, 1], got [{x.min():.3g}, {x.max():.3g}]; "
            "pass images before mean/std normalisation"
        )
    generator = torch.Generator().manual_seed(int(seed))
    return CORRUPTIONS[name](x, generator)
