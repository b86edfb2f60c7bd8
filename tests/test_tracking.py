"""gwin.tracking: the tracker's picture of G(x, z) for fixed rejected inputs."""

import numpy as np
import pytest
import torch
from torch import nn

from gwin.tracking import PAD, Pictures, pick_rejected, translation_grid


class Shift(nn.Module):
    """G(x, z) = x + 0.1 * z[:, 0], per image: tells the z draws apart in the picture."""

    def forward(self, x, z):
        return x + 0.1 * z[:, :1, None, None]


class Certain(nn.Module):
    """C's certainty is the mean pixel of the input: a dark image is rejected."""

    def mc_probs(self, x, samples):
        torch.rand(1)  # a real C draws from the global RNG
        p = x.mean(dim=(1, 2, 3))
        return torch.stack([p, 1 - p], dim=1).expand(samples, -1, -1)


def images(values):
    return torch.tensor(values, dtype=torch.float32)[:, None, None, None].expand(-1, 1, 28, 28)


def test_the_grid_shows_the_inputs_on_top_and_one_row_per_draw():
    x = images([0.2, 0.5, 0.8])
    grid = translation_grid(Shift(), x, z_dim=4, draws=2, seed=3)
    tile = 28 + 2 * PAD
    assert grid.shape == (1, 3 * tile, 3 * tile) and grid.dtype == np.uint8
    # the tile of input j in row r, without its border

    def inner(r, j):
        rows, cols = (
            slice(r * tile + PAD, (r + 1) * tile - PAD),
            slice(j * tile + PAD, (j + 1) * tile - PAD),
        )
        return grid[0, rows, cols]

    for j, v in enumerate([0.2, 0.5, 0.8]):
        assert (inner(0, j) == round(v * 255)).all()
    z = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(3))
    for r in (1, 2):
        for j, v in enumerate([0.2, 0.5, 0.8]):
            expected = round(min(max(v + 0.1 * float(z[r - 1, j, 0]), 0), 1) * 255)
            assert np.abs(inner(r, j).astype(int) - expected).max() <= 1
    assert (grid[0, :PAD] == 0).all() and (grid[0, :, :PAD] == 0).all()  # black borders


def test_the_grid_is_the_same_for_the_same_seed_and_leaves_the_global_rng_alone():
    x = images([0.3, 0.6])
    state = torch.random.get_rng_state()
    first = translation_grid(Shift(), x, z_dim=4, draws=3, seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert np.array_equal(first, translation_grid(Shift(), x, z_dim=4, draws=3, seed=1))
    assert not np.array_equal(first, translation_grid(Shift(), x, z_dim=4, draws=3, seed=2))


def test_pick_rejected_keeps_the_first_rejected_inputs_in_index_order():
    x = images([0.9, 0.1, 0.95, 0.3, 0.2, 0.4])
    # certainty = max(p, 1 - p): 0.9, 0.9, 0.95, 0.7, 0.8, 0.6; rejected below 0.85
    chosen = pick_rejected(Certain(), x, tau=0.85, samples=2, n=2)
    assert chosen[:, 0, 0, 0].tolist() == pytest.approx([0.3, 0.2])


def test_pictures_come_every_nth_call_with_the_same_inputs_and_no_rng_moved():
    x = images([0.9, 0.3, 0.2])
    pictures = Pictures(Certain(), x, tau=0.85, samples=2, z_dim=4, seed=5, every=2, n=8)
    state = torch.random.get_rng_state()
    taken = [pictures.next(Shift()) for _ in range(5)]
    assert torch.equal(torch.random.get_rng_state(), state)
    assert [t is not None for t in taken] == [True, False, True, False, True]
    assert taken[0].shape == (1, 4 * 30, 2 * 30)  # the 2 rejected inputs, 1 + 3 rows
    assert np.array_equal(taken[0], taken[2])  # the same G: the same picture


def test_no_picture_when_c_rejects_none():
    pictures = Pictures(Certain(), images([0.95, 0.02]), tau=0.5, samples=2, z_dim=4, seed=0,
                        every=1)  # fmt: skip
    assert pictures.next(Shift()) is None


def test_a_trial_with_pictures_trains_and_scores_exactly_as_one_without(tiny_cfg, tiny_trial):
    import pandas as pd

    from gwin.trial import run_trial

    seen = []
    result = run_trial(tiny_cfg, on_picture=lambda it, grid: seen.append((it, grid)))
    assert [it for it, _ in seen] == [6, 12]  # every validation report (eval_every 6)
    assert seen[0][1].shape[1] == 4 * 30 and seen[0][1].shape[2] % 30 == 0
    # the same rejected inputs on top; G moved between the two pictures
    assert np.array_equal(seen[0][1][:, :30], seen[1][1][:, :30])
    assert not np.array_equal(seen[0][1][:, 30:], seen[1][1][:, 30:])
    pd.testing.assert_frame_equal(result.predictions, tiny_trial.predictions)
    assert result.history == tiny_trial.history
