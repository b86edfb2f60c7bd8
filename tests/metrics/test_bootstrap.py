"""The bootstrap interval over test inputs, stratified by seed, on cases known by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from gwin.metrics.bootstrap import bootstrap_interval, gain, kind_counts


def test_kind_counts_and_gain_by_hand():
    frame = pd.DataFrame(
        {
            "label": [1, 1, 1, 1, 1, 1],
            "bnn_certainty": [0.1, 0.2, 0.3, 0.4, 0.5, 0.9],
            "gwin_pred": [1, 1, 0, 0, 1, 0],
            "identity_pred": [1, 0, 1, 0, 0, 1],
        }
    )
    # tau 0.8 rejects inputs 0-4: both right (0), only gwin (1, 4), only identity (2), neither (3)
    counts = kind_counts(frame, 0.8, after="gwin", before="identity")
    assert counts.tolist() == [1, 1, 2, 1, 1]
    assert gain(counts) == pytest.approx(100 * (2 - 1) / 5)  # 20 points
    assert math.isnan(gain(np.array([7, 0, 0, 0, 0])))  # nothing rejected


def test_no_variation_gives_a_point_interval():
    # every rejected input is one only the GWIN gets right: every resample's gain is 100
    mean, low, high = bootstrap_interval([np.array([5, 0, 10, 0, 0])], resamples=500)
    assert (mean, low, high) == (100.0, 100.0, 100.0)


def test_stratified_by_seed():
    # seed A always +100, seed B always -100: resampled within each seed, the mean over seeds
    # is 0 every time. Pooling both seeds' inputs would mix them and spread the interval.
    seeds = [np.array([0, 0, 50, 0, 0]), np.array([0, 0, 0, 50, 0])]
    assert bootstrap_interval(seeds, resamples=500) == (0.0, 0.0, 0.0)


def test_matches_the_normal_approximation_of_a_large_sample():
    # one seed, n = 10,000, all rejected: per input d = +1 (30 %), -1 (10 %), 0 (60 %);
    # gain = 100 * mean(d) = 20, sd(d) = sqrt(0.4 - 0.2^2) = 0.6, se = 100 * 0.6 / 100 = 0.6
    # points: the 95% interval is 20 -+ 1.96 * 0.6 = [18.82, 21.18]
    mean, low, high = bootstrap_interval([np.array([0, 3000, 3000, 1000, 3000])], resamples=4000)
    assert mean == pytest.approx(20.0)
    assert low == pytest.approx(20 - 1.96 * 0.6, abs=0.12)
    assert high == pytest.approx(20 + 1.96 * 0.6, abs=0.12)


def test_a_seed_that_rejects_nothing_is_left_out():
    mean, low, high = bootstrap_interval(
        [np.array([9, 0, 0, 0, 0]), np.array([0, 0, 4, 0, 0])], resamples=200
    )
    assert (mean, low, high) == (100.0, 100.0, 100.0)
    assert all(math.isnan(v) for v in bootstrap_interval([np.array([9, 0, 0, 0, 0])]))
