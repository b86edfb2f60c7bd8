"""The one-line reading under a sweep table, against counts worked out by hand."""

import pandas as pd

from gwin.report.reading import reading
from gwin.report.tables import Block


def _block(rows: list[tuple], n_trials: int) -> Block:
    agg = pd.DataFrame(
        rows,
        columns=[
            "lambda_loss",
            "tau",
            "gain_over_identity_mean",
            "gain_over_identity_std",
            "rejected_acc_delta_mean",
        ],
    ).assign(n_trials=n_trials, rejected_acc_delta_std=1.0)
    return Block("digits", "lenet5", ["lambda_loss", "tau"], agg, "test split")


def test_counts_taus_won_and_taus_clear_of_the_spread():
    block = _block(
        [
            # lambda 0: one positive mean (0.5), none clear (0.5 - 1 < 0); 0 beat the BNN
            (0.0, 0.5, -1.0, 1.0, -3.0),
            (0.0, 0.8, -2.0, 1.0, -1.0),
            (0.0, 0.99, 0.5, 1.0, -0.5),
            # lambda 10: three positive; clear at 0.5 (2 - 1) and 0.99 (1 - 0.5), not at 0.8
            (10.0, 0.5, 2.0, 1.0, 1.0),
            (10.0, 0.8, 0.5, 1.0, -0.2),
            (10.0, 0.99, 1.0, 0.5, 0.3),
        ],
        n_trials=4,
    )
    lines = reading(block)
    assert lines == [
        "Reading (lambda_loss = 0, 4 seeds): the GWIN beats the identity baseline at 1 of 3 "
        "taus in the mean, at none by more than one std over seeds: within the seeds' "
        "spread; BNN+GWIN beats the BNN at 0 of 3.",
        "Reading (lambda_loss = 10, 4 seeds): the GWIN beats the identity baseline at 3 of 3 "
        "taus in the mean, at 2 by more than one std over seeds; BNN+GWIN beats the BNN at "
        "2 of 3.",
    ]


def test_one_seed_claims_no_spread_and_undefined_taus_are_not_counted():
    block = _block(
        [(10.0, 0.5, float("nan"), float("nan"), float("nan")), (10.0, 0.8, 1.0, None, 2.0)],
        n_trials=1,
    )
    (line,) = reading(block)
    assert "at 1 of 1 taus in the mean, one seed, so no spread to judge it by" in line
    assert "BNN+GWIN beats the BNN at 1 of 1." in line
