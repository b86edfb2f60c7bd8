"""gwin.metrics.names: the headline names every layer shares are sweep columns, prefixed."""

import pytest

from gwin.metrics.names import HISTORY_COLUMNS, VAL_GAIN, as_val
from gwin.metrics.sweep import tau_sweep
from tests.metrics.test_sweep import TABLE


def test_a_validation_report_is_the_sweep_row_at_tau_under_val_names():
    # tau = 0.5 on the hand-worked table of test_sweep: R = inputs 1 and 3; GWIN right on 3,
    # identity right on 1 and 3, so GWIN − Identity = (1 - 2) / 2 = −50 points
    row = tau_sweep(TABLE, [0.5]).iloc[0]
    report = {as_val(k): float(row[k]) for k in HISTORY_COLUMNS}
    assert report[VAL_GAIN] == pytest.approx(-50.0)
    assert report["val_pct_reject"] == pytest.approx(40.0)
    assert set(report) == {f"val_{k}" for k in HISTORY_COLUMNS}


def test_the_search_and_the_tune_table_use_the_shared_names():
    from gwin.tune.search import METRIC
    from gwin.tune.trainable import PROGRESS_COLUMNS

    assert METRIC == VAL_GAIN == "val_gain_over_identity"  # the stored `history` column
    assert set(PROGRESS_COLUMNS[2:]) <= {as_val(k) for k in HISTORY_COLUMNS}
