"""Paired fixed/broken counts and the exact McNemar p-value, against hand-worked values."""

from fractions import Fraction
from math import comb

import pandas as pd
import pytest

from gwin.metrics.paired import mcnemar_exact, paired_counts
from gwin.metrics.sweep import tau_sweep


@pytest.mark.parametrize(
    "fixed, broken, expected",
    [
        (0, 0, 1.0),  # no discordant pair: no evidence either way
        (5, 0, 2 / 32),  # 2 * C(5,0) / 2^5
        (0, 5, 2 / 32),  # two-sided: symmetric
        (1, 4, 2 * (1 + 5) / 32),  # 2 * (C(5,0) + C(5,1)) / 2^5 = 0.375
        (3, 3, 1.0),  # 2 * 42 / 64 > 1 is clipped
        (10, 0, 2 / 1024),
    ],
)
def test_mcnemar_exact_by_hand(fixed, broken, expected):
    assert mcnemar_exact(fixed, broken) == pytest.approx(expected, rel=1e-12)


def mcnemar_by_hand(fixed: int, broken: int) -> Fraction:
    """2 * P(X <= min(fixed, broken)), X ~ Binomial(n, 1/2), clipped at 1: exact integers."""
    n = fixed + broken
    tail = sum(comb(n, k) for k in range(min(fixed, broken) + 1))
    return min(Fraction(1), Fraction(2 * tail, 2**n))


@pytest.mark.parametrize(
    "fixed, broken, expected",
    [
        (20, 5, 0.004077315330505371),  # 2 * (C(25,0) + ... + C(25,5)) / 2^25 = 136,826 / 2^25
        (141, 120, 0.21565006963665603),  # the search's chosen setting (docs/fidelity.md)
        (234, 189, 0.03228486732912728),
        (4000, 4100, 0.2713310871439329),
    ],
)
def test_mcnemar_exact_on_large_counts_against_exact_integer_sums(fixed, broken, expected):
    """Large counts against the binomial tail summed in exact integer arithmetic (the decimals
    are that sum, printed once): not against scipy, which mcnemar_exact itself calls."""
    assert float(mcnemar_by_hand(fixed, broken)) == pytest.approx(expected, rel=1e-15)
    assert mcnemar_exact(fixed, broken) == pytest.approx(expected, rel=1e-9)
    assert mcnemar_exact(broken, fixed) == pytest.approx(expected, rel=1e-9)  # two-sided


def test_mcnemar_rejects_negative_counts():
    with pytest.raises(ValueError, match="counts must be >= 0"):
        mcnemar_exact(-1, 2)


def _table() -> pd.DataFrame:
    # 6 inputs, label 0. Certainties: the first four are rejected at tau = 0.5.
    return pd.DataFrame(
        {
            "label": [0, 0, 0, 0, 0, 0],
            "bnn_pred": [1, 1, 0, 0, 0, 1],
            "gwin_pred": [0, 0, 1, 0, 0, 0],
            "identity_pred": [0, 1, 1, 1, 0, 1],
            "bnn_certainty": [0.1, 0.2, 0.3, 0.4, 0.9, 0.95],
        }
    )


def test_paired_counts_by_hand_and_consistent_with_the_sweep():
    got = paired_counts(_table(), 0.5)
    # rejected rows 0-3: rows 0, 1 fixed; row 2 broken; row 3 right both times
    assert got == {"tau": 0.5, "n_rejected": 4, "fixed": 2, "broken": 1, "mcnemar_p": 1.0}
    row = tau_sweep(_table(), [0.5]).iloc[0]
    assert row["rejected_acc_delta"] == pytest.approx(100 * (2 - 1) / 4)


def test_paired_counts_with_nothing_rejected():
    got = paired_counts(_table(), 0.0)
    assert got == {"tau": 0.0, "n_rejected": 0, "fixed": 0, "broken": 0, "mcnemar_p": 1.0}


def test_paired_counts_of_the_identity_and_of_the_gwin_against_it():
    # rejected rows 0-3. Identity vs BNN: row 0 fixed; rows 2, 3 broken.
    got = paired_counts(_table(), 0.5, after="identity")
    assert (got["fixed"], got["broken"]) == (1, 2)
    # GWIN vs identity: rows 1, 3 only GWIN right; row 2 neither; row 0 both.
    got = paired_counts(_table(), 0.5, after="gwin", before="identity")
    assert (got["fixed"], got["broken"]) == (2, 0)
    assert got["mcnemar_p"] == pytest.approx(0.5)  # 2 * (1/2)^2
    row = tau_sweep(_table(), [0.5]).iloc[0]
    assert row["gain_over_identity"] == pytest.approx(100 * (2 - 0) / 4)
