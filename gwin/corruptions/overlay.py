"""Corruptions that draw on the image: stripe, dotted line and zigzag (MNIST-C has no
severity levels for these; the constants are the reference's).

Lines are anti-aliased with MNIST-C's profile 1 + log(1 - d / 2.3), clipped to [0, 1], where d
is the vertical distance in pixels to the line: 1 on the line, 0 from d = 1.45 on, so strokes
are about as thick as a handwritten one. Pixels are added and clipped, so these only brighten.
"""

import torch

from gwin.corruptions import _random

STRIPE_WIDTH = 7  # columns inverted at each side: [0, 7) and [21, 28) on a 28-px image
LINE_REACH = 2.3  # the anti-aliasing profile's d scale
ZIGZAG_HALF_PERIOD = 2.0  # `a` in MNIST-C: columns from a peak to the next zero crossing
ZIGZAG_AMPLITUDE = 2.0  # `b`: pixels from the axis to a peak
ZIGZAG_START, ZIGZAG_END = 2, 25  # columns of the zigzag's axis ends
ZIGZAG_MAX_TILT = 5  # the far end's row is the start's plus an integer in [-5, 5)


def line_profile(distance: torch.Tensor) -> torch.Tensor:
    """MNIST-C's intensity at `distance` pixels from a line: 1 + log(1 - d / 2.3), in [0, 1]."""
    ratio = (distance.abs() / LINE_REACH).clamp(max=1.0 - 1e-6)
    return (1.0 + torch.log1p(-ratio)).clamp(0.0, 1.0)


def _grid(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Row and column index tensors broadcastable against [N, 1, H, W]."""
    h, w = x.shape[-2:]
    rows = torch.arange(h, dtype=x.dtype, device=x.device).view(1, 1, h, 1)
    cols = torch.arange(w, dtype=x.dtype, device=x.device).view(1, 1, 1, w)
    return rows, cols


def stripe(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Invert the 7 leftmost and 7 rightmost columns (MNIST-C's stripe; deterministic).

    On a digit whose strokes stay in the middle 14 columns this only adds two white bands; a
    stroke reaching into the bands is inverted to black there, as in the reference.
    """
    del generator
    w = x.shape[-1]
    cols = torch.arange(w, device=x.device)
    band = (cols < STRIPE_WIDTH) | (cols >= w - STRIPE_WIDTH)
    return torch.where(band, 1.0 - x, x).clamp(0.0, 1.0)


def dotted_line(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A dashed line from (row r0, column 0) to (row r1, column 27), r0, r1 uniform in [0, 27).

    As in the reference, columns [0, 27) carry the line and the dashes are 2 columns on,
    2 off, starting 'off' at column 0 (so columns 2-3, 6-7, ..., 26 are drawn).
    """
    n, w = x.shape[0], x.shape[-1]
    last = w - 1
    r0 = _random.integers(generator, 0, last, n, x).view(n, 1, 1, 1)
    r1 = _random.integers(generator, 0, last, n, x).view(n, 1, 1, 1)
    rows, cols = _grid(x)
    line = line_profile(rows - (r0 + (r1 - r0) * cols / last))
    drawn = (cols < last) & (torch.div(cols, 2, rounding_mode="floor") % 2 == 1)
    return (x + line * drawn).clamp(0.0, 1.0)


def zigzag(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A zigzag (slope +-1 segments, peaks 2 px off its axis) across columns 2-25.

    The axis runs from (r0, column 2) to (r0 + t, column 25), r0 uniform in [0, 27) and t in
    [-5, 5), as in the reference. The reference draws each segment separately with the line
    profile of its vertical distance; here the whole zigzag is one triangle wave measured in
    the axis' frame, which is the same for a level axis and within cos(12 degrees) otherwise.
    """
    n = x.shape[0]
    r0 = _random.integers(generator, 0, x.shape[-1] - 1, n, x)
    tilt = _random.integers(generator, -ZIGZAG_MAX_TILT, ZIGZAG_MAX_TILT, n, x)
    run = float(ZIGZAG_END - ZIGZAG_START)
    theta = torch.atan(tilt / run).view(n, 1, 1, 1)
    length = run / torch.cos(theta)
    rows, cols = _grid(x)
    dc, dr = cols - ZIGZAG_START, rows - r0.view(n, 1, 1, 1)
    along = dc * torch.cos(theta) + dr * torch.sin(theta)  # position along the axis
    across = -dc * torch.sin(theta) + dr * torch.cos(theta)  # offset from the axis
    a, b = ZIGZAG_HALF_PERIOD, ZIGZAG_AMPLITUDE
    # Triangle wave: 0 at the start, +b at a, -b at 3a, +b at 5a, ... (MNIST-C's vertices).
    phase = torch.remainder(along + a, 4 * a)
    wave = b * (1 - (phase - 2 * a).abs() / a)
    on = (along >= 0) & (along <= length)
    return (x + line_profile(across - wave) * on).clamp(0.0, 1.0)
