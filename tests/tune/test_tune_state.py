"""A Tune state file cut off by a full disk is found and set aside, never restored from."""

import json

from gwin.store.location import Folder
from gwin.tune.tune_state import DAMAGED_PREFIX, damaged_state_files, set_aside


def test_a_truncated_state_file_is_found_and_set_aside(tmp_path):
    run = tmp_path / "grid"
    run.mkdir()
    whole = json.dumps({"trials": ["a" * 50, "b"]})
    (run / "experiment_state-1.json").write_text(whole[:32])  # cut off mid-string
    (run / "basic-variant-state-1.json").write_text(whole)
    (run / "tuner.pkl").write_bytes(b"\x80\x04pickle")
    (run / "trial_0").mkdir()
    (run / "trial_0" / "result.json").write_text("{not json")  # a trial's log: not state
    folder = Folder.at(run)
    assert damaged_state_files(folder) == [str(run / "experiment_state-1.json")]

    moved = set_aside(folder)
    assert sorted(moved) == ["basic-variant-state-1.json", "experiment_state-1.json", "tuner.pkl"]
    names = sorted(p.name for p in run.iterdir())
    assert names == sorted([*(DAMAGED_PREFIX + m for m in moved), "trial_0"])
    assert damaged_state_files(folder) == []  # set-aside files are not looked at again


def test_intact_state_is_left_alone(tmp_path):
    (tmp_path / "experiment_state-1.json").write_text("{}")
    assert damaged_state_files(Folder.at(tmp_path)) == []
