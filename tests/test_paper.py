"""The transcribed paper tables: spot values and internal consistency (catches typos)."""

import math

import numpy as np
import pytest

from gwin.errors import GwinError
from gwin.paper import BASE_ACCURACY, has_reference, paper_reference


def test_spot_values_from_tables_1_and_2():
    mnist = paper_reference("mnist").set_index("tau")
    assert mnist.loc[0.5, "bnn_acc_rejected_mean"] == 40.23
    assert mnist.loc[0.5, "bnn_acc_rejected_std"] == 8.51
    assert mnist.loc[0.99, "error_delta_pct_mean"] == -49.45
    fashion = paper_reference("fashion_mnist").set_index("tau")
    assert fashion.loc[0.8, "pct_reject_mean"] == 21.21
    assert math.isnan(fashion.loc[0.8, "pct_reject_std"])  # the paper gives none
    assert fashion.loc[0.8, "gwin_acc_rejected_mean"] == 69.16
    assert list(fashion.index) == [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_rows_are_internally_consistent(dataset):
    t = paper_reference(dataset)
    # rejected delta = GWIN - BNN on the rejected set (2-decimal rounding of means)
    gap = t["gwin_acc_rejected_mean"] - t["bnn_acc_rejected_mean"] - t["rejected_acc_delta_mean"]
    assert np.abs(gap).max() <= 0.011
    # overall delta ~ fraction rejected x rejected delta (a mean of products, so loosely)
    approx = t["pct_reject_mean"] * t["rejected_acc_delta_mean"] / 100
    assert np.abs(approx - t["overall_acc_delta_mean"]).max() < 0.1
    # % error change ~ -overall delta / base error rate
    error = -100 * t["overall_acc_delta_mean"] / (100 - BASE_ACCURACY[dataset])
    assert np.abs(error - t["error_delta_pct_mean"]).max() < 2.5


def test_unknown_dataset():
    assert not has_reference("digits")
    with pytest.raises(GwinError, match="no table for dataset 'digits'"):
        paper_reference("digits")
