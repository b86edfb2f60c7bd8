"""Snapshots: the first k iterations of a long run are the trial with iterations = k."""

import pandas as pd
import pytest

from gwin.errors import GwinError
from gwin.trial import run_trial

# Columns of a trials row that say how long something took or whether the cache had C: the
# rest must be equal between a snapshot and the trial it stands for.
COST = ("seconds_", "classifier_cache_hit", "confident_cache_hit")


def _outcome(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith(COST)}


def test_a_snapshot_equals_the_trial_with_that_many_iterations(tiny_cfg, one_thread):
    # 12 iterations, validated every 6; snapshots at 4 (between reports) and 6 (on one)
    snapshots = []
    long = run_trial(tiny_cfg.replace(snapshots=(4, 6)), on_snapshot=snapshots.append)
    assert [s.record["iterations"] for s in snapshots] == [4, 6]
    for snap in snapshots:
        k = snap.record["iterations"]
        alone = run_trial(tiny_cfg.replace(iterations=k))
        assert snap.record["trial_id"] == tiny_cfg.replace(iterations=k).trial_key()
        assert _outcome(snap.record) == _outcome(alone.record)
        pd.testing.assert_frame_equal(snap.predictions, alone.predictions)
        pd.testing.assert_frame_equal(snap.examples, alone.examples)
        assert snap.history == alone.history  # its validation at k included
    # and the long run trains exactly as it would without snapshots
    plain = run_trial(tiny_cfg)
    pd.testing.assert_frame_equal(long.predictions, plain.predictions)
    assert _outcome(long.record) == _outcome(plain.record)
    assert long.history == plain.history
    assert long.record["trial_id"] == plain.record["trial_id"]  # snapshots add outputs only


def test_snapshots_are_checked(tiny_cfg):
    for bad in ((0,), (12,), (20,), (4, 4)):
        with pytest.raises(GwinError, match="snapshots must be distinct iterations"):
            tiny_cfg.replace(snapshots=bad)
