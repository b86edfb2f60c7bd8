"""Affine corruptions (shear, scale, rotate, translate) as one batched `grid_sample` each.

MNIST-C warps with scikit-image's `transform.warp(x, inverse_map=aff)`: every output pixel
reads the input at aff(p), bilinearly, zero outside, with aff chosen to keep the image centre
(13.5, 13.5) fixed. `warp` below is that operation in torch, so the parameters here are the
reference's parameters with the same meaning.
"""

import torch
import torch.nn.functional as F

from gwin.corruptions import _random

# MNIST-C severities (reference defaults, which are the published dataset's): shear 2 of 5,
# rotate 2 of 5, scale 3 of 5, translate 3 of 5. Strong enough to hurt a classifier, mild
# enough that a person still reads the digit.
SHEAR = 0.4  # shear angle in radians, random sign
ROTATION = 0.4  # radians (~22.9 degrees), random sign
SCALE = 1 / 0.7  # inverse-map zoom: the digit shrinks to 70% of its size around the centre
SHIFT = 3.0  # pixels along each axis, independent random signs


def warp(
    x: torch.Tensor, inverse: torch.Tensor, offset: torch.Tensor | None = None
) -> torch.Tensor:
    """Bilinear inverse-map warp about the image centre, zero outside.

    An output pixel at centred coordinates p = (col - (W-1)/2, row - (H-1)/2) reads the input
    at `inverse @ p + offset`. `inverse` is [2, 2] or [N, 2, 2] and `offset` [2] or [N, 2], both
    in (x = column, y = row) pixel units, so the caller never thinks in grid_sample's [-1, 1]
    coordinates.
    """
    n, _, h, w = x.shape
    inverse = inverse.to(device=x.device, dtype=x.dtype).expand(n, 2, 2)
    if offset is None:
        offset = torch.zeros(n, 2, device=x.device, dtype=x.dtype)
    offset = offset.to(device=x.device, dtype=x.dtype).expand(n, 2)
    # With align_corners=False, normalised u = D p, D = diag(2/W, 2/H); conjugate into u space.
    d = torch.tensor([2.0 / w, 2.0 / h], device=x.device, dtype=x.dtype)
    theta = torch.cat(
        [d[:, None] * inverse / d[None, :], (d * offset)[:, :, None]], dim=2
    )  # [N, 2, 3]
    grid = F.affine_grid(theta, [n, 1, h, w], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def rotate_by(x: torch.Tensor, angle: torch.Tensor | float) -> torch.Tensor:
    """Rotate counter-clockwise on screen (row 0 at the top) by `angle` radians, per image."""
    a = torch.as_tensor(angle, dtype=x.dtype, device=x.device).reshape(-1)
    cos, sin = torch.cos(a), torch.sin(a)
    inverse = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    return warp(x, inverse)


def translate_by(
    x: torch.Tensor, dx: torch.Tensor | float, dy: torch.Tensor | float
) -> torch.Tensor:
    """Move the content `dx` pixels right and `dy` pixels down (per image), zero-filling."""
    n = x.shape[0]
    dx = torch.as_tensor(dx, dtype=x.dtype, device=x.device).reshape(-1).expand(n)
    dy = torch.as_tensor(dy, dtype=x.dtype, device=x.device).reshape(-1).expand(n)
    eye = torch.eye(2, dtype=x.dtype, device=x.device)
    return warp(x, eye, -torch.stack([dx, dy], dim=1))


def shear(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Shear by angle +-0.4 rad (MNIST-C severity 2), the sign drawn per image.

    scikit-image's AffineTransform(shear=s) (the version MNIST-C used) has the linear part
    [[1, -sin s], [0, cos s]], used as the inverse map.
    """
    s = SHEAR * _random.signs(generator, x.shape[0], x)
    one, zero = torch.ones_like(s), torch.zeros_like(s)
    inverse = torch.stack(
        [torch.stack([one, -torch.sin(s)], -1), torch.stack([zero, torch.cos(s)], -1)], -2
    )
    return warp(x, inverse).clamp(0.0, 1.0)


def scale(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Shrink to 70% about the centre (MNIST-C severity 3); deterministic, like the reference."""
    del generator  # no randomness: the reference's scale has none either
    inverse = SCALE * torch.eye(2)
    return warp(x, inverse).clamp(0.0, 1.0)


def rotate(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Rotate by +-0.4 rad (~23 degrees, MNIST-C severity 2), the sign drawn per image."""
    angle = ROTATION * _random.signs(generator, x.shape[0], x)
    return rotate_by(x, angle).clamp(0.0, 1.0)


def translate(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Shift by 3 pixels along both axes (MNIST-C severity 3), each sign drawn per image."""
    n = x.shape[0]
    dx = SHIFT * _random.signs(generator, n, x)
    dy = SHIFT * _random.signs(generator, n, x)
    return translate_by(x, dx, dy).clamp(0.0, 1.0)
