"""mc_summary on hand-built draws: score, prediction, numpy-median certainty."""

import numpy as np
import pytest
import torch

from gwin.errors import GwinError
from gwin.metrics.certainty import mc_summary, median_over_draws

# T = 4 draws, B = 2 inputs, K = 3 classes; DRAWS[t, b] is one probability vector.
DRAWS = torch.tensor(
    [
        [[0.0, 0.4, 0.6], [0.1, 0.2, 0.7]],
        [[0.0, 0.4, 0.6], [0.2, 0.2, 0.6]],
        [[0.6, 0.4, 0.0], [0.1, 0.1, 0.8]],
        [[1.0, 0.0, 0.0], [0.0, 0.3, 0.7]],
    ]
)


def test_summary_of_hand_built_draws():
    s = mc_summary(DRAWS, labels=torch.tensor([1, 0]))
    # input 0: class means 0.4 / 0.3 / 0.3 -> pred 0, although class 1 has the larger median
    #   (class 0 sorted 0, 0, .6, 1 -> median (0 + .6)/2 = .3; class 1: 0, .4, .4, .4 -> .4).
    #   torch.median would give 0.0 for class 0 (lower middle); numpy gives 0.3.
    # input 1: means .1 / .2 / .7 -> pred 2; class 2 sorted .6, .7, .7, .8 -> .7;
    #   label 0 sorted 0, .1, .1, .2 -> .1
    assert torch.allclose(s.score, torch.tensor([[0.4, 0.3, 0.3], [0.1, 0.2, 0.7]]))
    assert s.pred.tolist() == [0, 2]
    assert torch.allclose(s.certainty, torch.tensor([0.3, 0.7]))
    assert torch.allclose(s.gt_certainty, torch.tensor([0.4, 0.1]))


def test_gt_certainty_is_none_without_labels_and_equals_certainty_for_correct_labels():
    assert mc_summary(DRAWS).gt_certainty is None
    s = mc_summary(DRAWS, labels=torch.tensor([0, 2]))
    assert torch.equal(s.gt_certainty, s.certainty)


def test_median_matches_numpy_for_odd_and_even_draw_counts():
    assert median_over_draws(torch.tensor([3.0, 1.0, 2.0])).item() == 2.0
    assert median_over_draws(torch.tensor([4.0, 1.0, 3.0, 2.0])).item() == 2.5
    assert median_over_draws(torch.tensor([[5.0]])).tolist() == [5.0]
    gen = torch.Generator().manual_seed(0)
    for t in (1, 2, 9, 10):
        values = torch.rand(t, 6, generator=gen, dtype=torch.float64)
        expected = np.median(values.numpy(), axis=0)
        assert np.allclose(median_over_draws(values).numpy(), expected)


def test_bad_shapes_raise_one_line_errors():
    with pytest.raises(GwinError, match=r"\[T, B, K\]"):
        mc_summary(torch.rand(4, 3))
    with pytest.raises(GwinError, match="labels"):
        mc_summary(DRAWS, labels=torch.tensor([0, 1, 2]))
