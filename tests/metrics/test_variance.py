"""The variance decomposition of a gain over seeds (gwin.metrics.variance), on counts worked out
by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from gwin.metrics.bootstrap import kind_counts
from gwin.metrics.variance import (
    OUTCOMES,
    components,
    discordant,
    kinds,
    outcome_counts,
    shares,
)


def outcomes(accepted: int = 0, **cells: int) -> np.ndarray:
    """OUTCOMES counts from rejected_GIB=count keywords (G, I, B: gwin, identity, bnn right)."""
    return np.array([accepted, *(cells.get(name, 0) for name in OUTCOMES[1:])])


# Two seeds, 100 rejected inputs each (and 50 accepted).
# Seed A: gwin right and identity wrong on 30 (bnn right on them: rejected_101), identity right
# and gwin wrong on 10 (rejected_010), gwin and identity right, bnn wrong on 24 (rejected_110),
# all three right on 36 (rejected_111).
SEED_A = outcomes(50, rejected_101=30, rejected_010=10, rejected_110=24, rejected_111=36)
# Seed B: the same with 18, 18, 28 and 36.
SEED_B = outcomes(50, rejected_101=18, rejected_010=18, rejected_110=28, rejected_111=36)


def test_outcome_counts_kinds_and_discordant_by_hand():
    # one input a row; label 1, so a prediction of 1 is right
    frame = pd.DataFrame(
        [  # certainty, gwin, identity, bnn: (gwin, identity, bnn) right
            (0.1, 1, 1, 0),  # 110
            (0.2, 1, 0, 1),  # 101
            (0.3, 0, 1, 1),  # 011
            (0.4, 0, 0, 0),  # 000
            (0.5, 1, 0, 1),  # 101
            (0.9, 0, 1, 1),  # 011, accepted at both taus
        ],
        columns=["bnn_certainty", "gwin_pred", "identity_pred", "bnn_pred"],
    ).assign(label=1)
    counts = outcome_counts(frame, [0.8, 0.35])
    # tau 0.8 rejects inputs 0-4, tau 0.35 inputs 0-2 only
    assert counts[0].tolist() == [1, 1, 0, 0, 1, 0, 2, 1, 0]
    assert counts[1].tolist() == [3, 0, 0, 0, 1, 0, 1, 1, 0]
    # the five kinds are those gwin.metrics.bootstrap counts from the predictions directly
    for after, before in (("gwin", "identity"), ("gwin", "bnn"), ("identity", "bnn")):
        for row, tau in zip(counts, (0.8, 0.35), strict=True):
            assert (
                kinds(row, after, before).tolist()
                == kind_counts(frame, tau, after, before).tolist()
            )
    # D at 0.8: identity and bnn disagree on inputs 0 (110), 1 (101) and 4 (101)
    assert discordant(counts).tolist() == [3, 2]


def test_two_seeds_by_hand():
    # GWIN − Identity: A has only-gwin 30 and only-identity 10 of 100: value 20, p+ = 0.3,
    # p- = 0.1; B 18 and 18: value 0, p+ = p- = 0.18. D (identity != bnn: rejected_101, _010
    # and _110) = 30 + 10 + 24 = 64 for A and 18 + 18 + 28 = 64 for B.
    # seeds: values 20 and 0, mean 10, s² = (10² + 10²) / 1 = 200
    # test: A 100² (0.4 - 0.2²) / 100 = 36, B 100² (0.36 - 0) / 100 = 36: 36
    # mc: 100² · 64 / 100² = 64 for each: 64
    # training: 200 - 64 = 136; the mean over the 2 seeds: 200 / 2 + 36 = 136
    ours = [kinds(s, "gwin", "identity") for s in (SEED_A, SEED_B)]
    d = discordant(np.stack([SEED_A, SEED_B]))
    assert d.tolist() == [64, 64]
    got = components(np.stack(ours), d)
    assert got == pytest.approx(
        {"seeds": 200.0, "test": 36.0, "mc": 64.0, "training": 136.0, "mean": 136.0}
    )
    # as sd in points: 14.14, 6, 8, 11.66, 11.66
    assert math.sqrt(got["test"]) == pytest.approx(6.0) and math.sqrt(got["mc"]) == 8.0
    # shares of the mean's 136: test 36, mc 64 / 2 = 32, training 136 / 2 = 68
    assert shares(got, 2) == pytest.approx({"test": 36 / 136, "mc": 32 / 136, "training": 0.5})
    assert sum(shares(got, 2).values()) == pytest.approx(1.0)


def test_the_papers_metric_and_training_never_below_zero():
    # Rejected Acc. Δ (gwin against bnn): only-gwin is rejected_110 (24, 28), only-bnn none:
    # values 24 and 28, s² = 8; test A 100² (0.24 - 0.24²) / 100 = 18.24, B 0.28 - 0.28² =
    # 0.2016: 20.16, mean 19.2; mc 64 as before (the same D); 8 - 64 < 0: training 0; the
    # mean over 2 seeds: 8 / 2 + 19.2 = 23.2, of which test 19.2 and mc min(64, 8) / 2 = 4
    paper = np.stack([kinds(s, "gwin", "bnn") for s in (SEED_A, SEED_B)])
    got = components(paper, np.array([64, 64]))
    assert got == pytest.approx(
        {"seeds": 8.0, "test": 19.2, "mc": 64.0, "training": 0.0, "mean": 23.2}
    )
    assert shares(got, 2) == pytest.approx({"test": 19.2 / 23.2, "mc": 4 / 23.2, "training": 0})


def test_one_seed_and_empty_rejected_sets():
    one = components(kinds(SEED_A, "gwin", "identity")[None], np.array([64]))
    # one seed: no spread over seeds (and so no training), but test and mc are defined
    assert all(math.isnan(one[c]) for c in ("seeds", "training", "mean"))
    assert (one["test"], one["mc"]) == pytest.approx((36.0, 64.0))
    assert all(math.isnan(v) for v in shares(one, 1).values())
    # a seed that rejects nothing is left out: the same as seed A alone
    empty = outcomes(150)
    both = np.stack([SEED_A, empty])
    assert components(kinds(both, "gwin", "identity"), discordant(both)) == pytest.approx(
        one, nan_ok=True
    )
    nothing = components(kinds(empty, "gwin", "identity")[None], np.array([0]))
    assert all(math.isnan(v) for v in nothing.values())


def test_no_variation_anywhere_is_zero_not_undefined():
    # every rejected input is fixed by the GWIN on both seeds, identity and bnn both wrong:
    # values 100 and 100, p+ = 1 (100² (1 - 1) / |R| = 0), D = 0
    fixed = np.stack([outcomes(5, rejected_100=40), outcomes(9, rejected_100=20)])
    got = components(kinds(fixed, "gwin", "identity"), discordant(fixed))
    assert got == {"seeds": 0.0, "test": 0.0, "mc": 0.0, "training": 0.0, "mean": 0.0}
    assert all(math.isnan(v) for v in shares(got, 2).values())  # no spread to share out
