"""`gwin upgrade` rebuilds a stale index; `gwin upgrade --repair` rebuilds it from what is on
disk, sets damaged trial folders aside and reports each dropped or damaged file; trial ids are
names, never paths, from the row's assembly on."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gwin.config import TrialConfig
from gwin.errors import GwinError
from gwin.store import upgrade
from gwin.store.location import Folder
from gwin.store.reader import load_results
from gwin.store.trial_outputs import done_ids
from gwin.store.trials_table import trials_row
from tests.test_bad_input_studies import _base


@pytest.fixture
def study(tmp_path):
    return shutil.copytree(_base(), tmp_path / "study")


def _index_ids(study) -> list[str]:
    return pq.read_table(study / "results" / "trials.parquet")["trial_id"].to_pylist()


def test_plain_upgrade_rebuilds_an_index_whose_trials_are_gone(study):
    shutil.rmtree(study / "trial_outputs" / "b")
    upgrade.upgrade(str(study / "results"))  # a study's results/ names the study, as readers
    assert _index_ids(study) == ["a", "c", "f"]
    for trial in ("a", "c", "f"):
        shutil.rmtree(study / "trial_outputs" / trial)
    upgrade.upgrade(str(study))
    assert not (study / "results" / "trials.parquet").exists()  # no trial, so no index rows


def test_plain_upgrade_names_a_damaged_trial_and_changes_nothing(study):
    row = study / "trial_outputs" / "a" / "trials.parquet"
    row.write_bytes(row.read_bytes()[:300])
    before = (study / "results" / "trials.parquet").read_bytes()
    with pytest.raises(GwinError, match=r"trial_outputs/a/trials.parquet is damaged.*--repair"):
        upgrade.upgrade(str(study))
    assert (study / "results" / "trials.parquet").read_bytes() == before


def test_repair_sets_damaged_trials_aside_and_reports_each_file(study, capsys):
    sweeps = study / "trial_outputs" / "a" / "sweeps.parquet"
    sweeps.write_bytes(sweeps.read_bytes()[:500])
    shutil.rmtree(study / "trial_outputs" / "b")
    (study / "trial_outputs" / "f" / "error.json").write_text('{"trial_id": "f", "stat')
    assert upgrade.main(["--repair", str(study)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith(f"damaged: {study}/trial_outputs/a/sweeps.parquet is damaged (")
    assert out[1].startswith(f"damaged: {study}/trial_outputs/f/error.json is damaged (")
    assert out[2:5] == [
        "set aside: trial a as trial_outputs/.damaged-a",
        "set aside: trial f as trial_outputs/.damaged-f",
        "dropped: trial b from the index (no finished or failed trial in trial_outputs/b)",
    ]
    assert "1 ok, 0 failed; 2 trial folders set aside" in out[-1] and len(out) == 6
    assert _index_ids(study) == ["c"]
    assert sorted(p.name for p in (study / "trial_outputs").iterdir()) == [
        ".damaged-a",
        ".damaged-f",
        "c",
    ]
    assert done_ids(Folder.at(study)) == {"c"}  # a --resume runs a and f again
    assert list(load_results(study).trials["trial_id"]) == ["c"]


def test_repair_replaces_a_hostile_index(study, capsys):
    index = study / "results" / "trials.parquet"
    table = pq.read_table(index)
    ids = ["../../x", *table["trial_id"].to_pylist()[1:]]
    pq.write_table(table.set_column(0, "trial_id", pa.array(ids)), index)
    with pytest.raises(GwinError, match="lists the trial id '../../x'"):
        load_results(study)
    assert upgrade.main(["--repair", str(study)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith(f"damaged: {index} lists the trial id '../../x'")
    assert "nothing set aside" in out[-1]
    assert list(load_results(study).trials["trial_id"]) == ["a", "b", "c"]


def test_a_trial_id_is_a_name_not_a_path():
    cfg = TrialConfig.from_preset("smoke")
    for bad in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(GwinError, match="trial id"):
            trials_row(cfg, bad, "study")
    assert trials_row(cfg, "d-l1-s0", "study")["trial_id"] == "d-l1-s0"
