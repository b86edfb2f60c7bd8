"""Corruptions: contract checks for every name, then hand-computed checks per corruption."""

import math

import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

from gwin.corruptions import CORRUPTIONS, corrupt, corruption_names
from gwin.corruptions.blur import (
    MOTION_SIGMA,
    MOTION_TAPS,
    gaussian_blur,
    glass_shuffle,
    motion_streak,
)
from gwin.corruptions.geometry import rotate_by, translate_by
from gwin.corruptions.noise import fog_field
from gwin.errors import GwinError

# No randomness in the reference either: the same output for every seed.
DETERMINISTIC = {"brightness", "scale", "stripe"}
# Mean |corrupted - clean| per image must exceed this: the weight of 8 of the 784 pixels
# flipped from black to white. The mildest corruption, a dotted line (~13 dashes of 2 columns,
# ~2 rows thick), changes ~0.02 per image; float noise is ~1e-7.
MIN_CHANGE = 0.01


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """These tensors are tiny (at most 200 images), so intra-op threads only add overhead, and on
    a shared, loaded machine OpenMP barriers made each call ~10x slower in wall time."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    """64 real handwritten digits, resized to MNIST's layout (20x20 box centred in 28x28)."""
    images = torch.tensor(load_digits().images[:64], dtype=torch.float32)[:, None] / 16
    resized = F.interpolate(images, size=(20, 20), mode="bilinear", align_corners=False)
    return F.pad(resized.clamp(0, 1), (4, 4, 4, 4))


def constant(value: float, n: int = 200) -> torch.Tensor:
    return torch.full((n, 1, 28, 28), value)


def test_names_cover_the_required_set() -> None:
    required = {"shot_noise", "impulse_noise", "glass_blur", "motion_blur", "shear", "scale"}
    required |= {"rotate", "brightness", "translate", "stripe", "fog", "zigzag", "dotted_line"}
    assert set(corruption_names()) == required
    assert corruption_names() == list(CORRUPTIONS)


@pytest.mark.parametrize("name", corruption_names())
def test_contract(name: str, digits: torch.Tensor) -> None:
    before = digits.clone()
    out = corrupt(digits, name, seed=0)
    assert torch.equal(digits, before), "input modified in place"
    assert out.shape == digits.shape and out.dtype == digits.dtype
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert torch.equal(out, corrupt(digits, name, seed=0))
    other = corrupt(digits, name, seed=1)
    assert torch.equal(out, other) == (name in DETERMINISTIC)
    change = (out - digits).abs().mean(dim=(1, 2, 3))
    assert change.min() > MIN_CHANGE


@pytest.mark.parametrize("name", corruption_names())
def test_float64_stays_float64(name: str, digits: torch.Tensor) -> None:
    out = corrupt(digits[:4].double(), name, seed=0)
    assert out.dtype == torch.float64 and out.min() >= 0.0 and out.max() <= 1.0


def test_bad_inputs_raise_one_line_errors(digits: torch.Tensor) -> None:
    with pytest.raises(GwinError, match="unknown corruption 'snow'.*shot_noise.*zigzag"):
        corrupt(digits, "snow", seed=0)
    with pytest.raises(GwinError, match=r"\[N, 1, 28, 28\]"):
        corrupt(digits[:, 0], "rotate", seed=0)
    with pytest.raises(GwinError, match="float"):
        corrupt((digits * 255).to(torch.uint8), "rotate", seed=0)
    with pytest.raises(GwinError, match=r"values in \[0, 1\].*normalisation"):
        corrupt((digits - 0.5) / 0.3, "rotate", seed=0)


# --- geometry --------------------------------------------------------------------------------


def test_rotate_by_quarter_turn_is_rot90() -> None:
    pattern = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    expected = torch.rot90(pattern, k=1, dims=(2, 3))
    assert torch.allclose(rotate_by(pattern, math.pi / 2), expected, atol=1e-5)


def test_rotate_uses_plus_or_minus_0_4_radians(digits: torch.Tensor) -> None:
    out = corrupt(digits, "rotate", seed=0)
    plus, minus = rotate_by(digits, 0.4), rotate_by(digits, -0.4)
    is_plus = (out - plus).abs().amax(dim=(1, 2, 3)) < 1e-6
    is_minus = (out - minus).abs().amax(dim=(1, 2, 3)) < 1e-6
    assert torch.all(is_plus ^ is_minus) and is_plus.any() and is_minus.any()


def test_translate_by_moves_a_pixel() -> None:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 10, 12] = 1.0
    moved = translate_by(x, 3.0, -2.0)  # 3 right, 2 up
    expected = torch.zeros_like(x)
    expected[0, 0, 8, 15] = 1.0
    assert torch.allclose(moved, expected, atol=1e-5)


def test_translate_moves_by_3_pixels_both_axes() -> None:
    x = torch.zeros(32, 1, 28, 28)
    x[:, 0, 13, 14] = 1.0
    out = corrupt(x, "translate", seed=0)
    flat = out.flatten(1).argmax(dim=1)
    dy, dx = flat // 28 - 13, flat % 28 - 14
    assert set(dy.tolist()) == {-3, 3} and set(dx.tolist()) == {-3, 3}
    assert torch.allclose(out.flatten(1).amax(dim=1), torch.ones(32), atol=1e-5)


def test_shear_slants_a_vertical_line_by_sin_0_4() -> None:
    x = torch.zeros(16, 1, 28, 28)
    x[:, 0, 4:24, 14] = 1.0  # a vertical bar; the reference's shear leaves slope sin(0.4)
    out = corrupt(x, "shear", seed=0)
    rows = torch.arange(28.0)
    cols = torch.arange(28.0)
    mass = out[:, 0].sum(dim=2)  # [N, rows]
    centre = (out[:, 0] * cols).sum(dim=2) / mass.clamp(min=1e-9)
    inside = mass[0] > 0.5  # rows the bar still covers
    slope = [
        torch.linalg.lstsq(
            torch.stack([rows[inside], torch.ones(int(inside.sum()))], 1), centre[i, inside, None]
        ).solution[0, 0]
        for i in range(16)
    ]
    assert all(abs(abs(s.item()) - math.sin(0.4)) < 0.02 for s in slope)
    assert {round(math.copysign(1, s.item())) for s in slope} == {-1, 1}


def test_scale_shrinks_area_to_0_49() -> None:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 4:24, 4:24] = 1.0  # 20x20 box, side 20 -> 14 at 70%, area 400 -> 196
    out = corrupt(x, "scale", seed=0)
    assert out.sum().item() == pytest.approx(196.0, rel=0.02)
    assert out[0, 0, 13:15, 13:15].min() == pytest.approx(1.0)
    assert out[0, 0, :6].abs().max() == 0.0  # a band that only the original box reached


# --- pixel values ----------------------------------------------------------------------------


def test_brightness_adds_half_and_clips(digits: torch.Tensor) -> None:
    out = corrupt(digits, "brightness", seed=0)
    assert torch.equal(out, (digits + 0.5).clamp(0, 1))
    assert out.mean() > digits.mean() + 0.4


def test_shot_noise_mean_and_levels() -> None:
    # x = 1/3 -> K ~ Poisson(1); E[min(K, 3) / 3] = (P1 + 2 P2) / 3 + P(K >= 3)
    # = (0.367879 + 0.367879) / 3 + 0.080301 = 0.325554, within 0.008 of the clean 1/3.
    # Per-pixel std 0.3114, so over 156,800 pixels the mean's std is 0.00079.
    out = corrupt(constant(1 / 3), "shot_noise", seed=0)
    assert out.mean().item() == pytest.approx(0.325554, abs=0.004)
    assert out.mean().item() == pytest.approx(1 / 3, abs=0.012)
    assert set((out * 3).round().unique().tolist()) == {0.0, 1.0, 2.0, 3.0}
    assert (out == 0).float().mean().item() == pytest.approx(math.exp(-1), abs=0.005)


def test_shot_noise_leaves_black_black() -> None:
    assert torch.equal(corrupt(constant(0.0, 4), "shot_noise", seed=0), constant(0.0, 4))


def test_impulse_noise_fraction() -> None:
    # 156,800 pixels; each hit with p = 0.17 (std of the fraction 0.00095), half salt, half pepper
    out = corrupt(constant(0.5), "impulse_noise", seed=0)
    salt, pepper = (out == 1).float().mean().item(), (out == 0).float().mean().item()
    assert salt + pepper == pytest.approx(0.17, abs=0.005)
    assert salt == pytest.approx(0.085, abs=0.004) and pepper == pytest.approx(0.085, abs=0.004)
    assert torch.all((out == 0) | (out == 1) | (out == 0.5))


def test_fog_field_matches_reference_statistics() -> None:
    # Reference numbers (MNIST-C plasma fractal, 300 crops): crop mean 0.525 across images
    # (std 0.19), within-crop std 0.060, neighbour |diff| / within-crop std 0.137.
    field = fog_field(2000, torch.Generator().manual_seed(0), torch.zeros(1, 1, 28, 28))
    assert field.shape == (2000, 1, 28, 28) and field.min() >= 0 and field.max() <= 1
    means, stds = field.mean(dim=(1, 2, 3)), field.std(dim=(1, 2, 3))
    assert means.mean().item() == pytest.approx(0.525, abs=0.02)
    assert means.std().item() == pytest.approx(0.19, abs=0.03)
    assert stds.mean().item() == pytest.approx(0.060, abs=0.01)
    roughness = field.diff(dim=3).abs().mean(dim=(1, 2, 3)) / stds
    assert roughness.mean().item() == pytest.approx(0.137, abs=0.03)


def test_fog_is_digit_over_four_plus_cloud(digits: torch.Tensor) -> None:
    # Images with max 1: out = (x + 3 fog) / 4, so the cloud (4 out - x) / 3 lies in [0, 1].
    full = digits[digits.amax(dim=(1, 2, 3)) == 1.0]
    cloud = (4 * corrupt(full, "fog", seed=0) - full) / 3
    assert cloud.min() > -1e-5 and cloud.max() < 1 + 1e-5
    assert cloud.std(dim=(1, 2, 3)).mean() < 0.15  # smooth: nothing like the digit's 0.3


# --- blurs -----------------------------------------------------------------------------------


def test_gaussian_blur_keeps_mass_and_constants() -> None:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 14, 14] = 1.0
    blurred = gaussian_blur(x, 0.7)
    assert blurred.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert blurred[0, 0, 14, 14] == blurred.max()
    assert torch.allclose(gaussian_blur(constant(0.3, 2), 0.7), constant(0.3, 2))


def test_glass_shuffle_only_permutes(digits: torch.Tensor) -> None:
    out = glass_shuffle(digits, torch.Generator().manual_seed(0))
    assert torch.equal(out.flatten(1).sort(dim=1).values, digits.flatten(1).sort(dim=1).values)
    assert not torch.equal(out, digits)


def test_motion_streak_weights_along_the_angle() -> None:
    x = torch.zeros(2, 1, 28, 28)
    x[:, 0, 14, 20] = 1.0
    weights = [math.exp(-(i**2) / (2 * MOTION_SIGMA**2)) for i in range(MOTION_TAPS)]
    weights = [w / sum(weights) for w in weights]
    out = motion_streak(x, torch.tensor([0.0, math.pi / 2]))
    # out(p) reads x(p + i dir): angle 0 smears the pixel leftwards, pi/2 upwards.
    for i in range(MOTION_TAPS):
        assert out[0, 0, 14, 20 - i].item() == pytest.approx(weights[i], abs=1e-5)
        assert out[1, 0, 14 - i, 20].item() == pytest.approx(weights[i], abs=1e-5)
    assert out.sum(dim=(1, 2, 3)).tolist() == pytest.approx([1.0, 1.0], abs=1e-5)


# --- overlays --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["zigzag", "dotted_line"])
def test_lines_only_add_brightness(name: str, digits: torch.Tensor) -> None:
    out = corrupt(digits, name, seed=0)
    assert torch.all(out >= digits)
    drawn = corrupt(constant(0.0, 32), name, seed=0)
    assert torch.all(drawn.amax(dim=(1, 2, 3)) > 0.9)  # every image gets a line through pixels


def test_dotted_line_dash_pattern() -> None:
    drawn = corrupt(constant(0.0, 64), "dotted_line", seed=0)
    columns = set((drawn.sum(dim=(0, 1, 2)) > 0).nonzero().flatten().tolist())
    assert columns <= {2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26}
    assert 26 in columns and 2 in columns


def test_zigzag_spans_columns_2_to_25() -> None:
    drawn = corrupt(constant(0.0, 64), "zigzag", seed=0)
    columns = (drawn.sum(dim=(0, 1, 2)) > 0).nonzero().flatten()
    assert columns.min() >= 1 and columns.max() <= 26 and len(columns) >= 22


def test_stripe_inverts_the_outer_seven_columns(digits: torch.Tensor) -> None:
    out = corrupt(digits, "stripe", seed=0)
    assert torch.equal(out[..., 7:21], digits[..., 7:21])
    assert torch.equal(out[..., :7], 1 - digits[..., :7])
    assert torch.equal(out[..., 21:], 1 - digits[..., 21:])
    blank = corrupt(constant(0.0, 1), "stripe", seed=0)
    assert blank.sum().item() == 28 * 14  # on a black background it only adds white
