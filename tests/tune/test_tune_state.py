"""A Tune state file cut off by a full disk is found and set aside, never restored from."""

import json
import pickle

from gwin.store.location import Folder
from gwin.tune.tune_state import DAMAGED_PREFIX, damaged_state_files, set_aside


def test_a_truncated_state_file_is_found_and_set_aside(tmp_path):
    run = tmp_path / "grid"
    run.mkdir()
    whole = json.dumps({"trials": ["a" * 50, "b"]})
    (run / "experiment_state-1.json").write_text(whole[:32])  # cut off mid-string
    # Tune's searcher state is a pickle despite its .json name
    (run / "basic-variant-state-1.json").write_bytes(pickle.dumps({"iterators": [1, 2]}))
    (run / "tuner.pkl").write_bytes(pickle.dumps({"param_space": {"seed": [0, 1]}}))
    (run / "trial_0").mkdir()
    (run / "trial_0" / "result.json").write_text("{not json")  # a trial's log: not state
    folder = Folder.at(run)
    assert damaged_state_files(folder) == [str(run / "experiment_state-1.json")]

    moved = set_aside(folder)
    assert sorted(moved) == ["basic-variant-state-1.json", "experiment_state-1.json", "tuner.pkl"]
    names = sorted(p.name for p in run.iterdir())
    assert names == sorted([*(DAMAGED_PREFIX + m for m in moved), "trial_0"])
    assert damaged_state_files(folder) == []  # set-aside files are not looked at again


def test_intact_state_is_left_alone_and_a_cut_off_pickle_is_not(tmp_path):
    (tmp_path / "experiment_state-1.json").write_text("{}")
    state = pickle.dumps({"iterators": list(range(100))})
    (tmp_path / "basic-variant-state-1.json").write_bytes(state)
    assert damaged_state_files(Folder.at(tmp_path)) == []
    (tmp_path / "basic-variant-state-1.json").write_bytes(state[: len(state) // 2])
    assert damaged_state_files(Folder.at(tmp_path)) == [
        str(tmp_path / "basic-variant-state-1.json")
    ]
