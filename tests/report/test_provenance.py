"""The "Ran on" line under every table, by hand."""

import numpy as np
import pandas as pd

from gwin.report.provenance import ran_on


def test_devices_threads_and_seeds_are_counted_over_the_finished_trials():
    trials = pd.DataFrame(
        {
            "status": ["ok", "ok", "ok", "error", "ok"],
            "device": ["cpu", "cpu", "cpu", "cpu", "cuda"],
            "worker_threads": [2, 2, 1, 8, np.nan],
            "seed": [0, 1, 1, 5, 2],
        }
    )
    assert ran_on(trials) == (
        "Ran on: cpu at 1 thread (1 trial); cpu at 2 threads (2 trials); "
        "cuda at unrecorded threads (1 trial); seeds 0, 1, 2."
    )


def test_no_finished_trial():
    assert ran_on(pd.DataFrame({"status": ["error"], "seed": [0]})) == "Ran on: no finished trial."
