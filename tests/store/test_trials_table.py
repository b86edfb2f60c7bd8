"""The trials table: one declaration of its columns and types, one assembler for every row."""

import pyarrow as pa
import pytest

from gwin.config import TrialConfig
from gwin.store.location import Folder
from gwin.store.trial_outputs import read_parquet, trial_folder, write_trial
from gwin.store.trials_table import (
    TRIALS_COLUMNS,
    TRIALS_TYPES,
    error_row,
    trials_arrow,
    trials_row,
)


def test_a_finished_trial_stores_exactly_the_declared_columns_and_types(tiny_trial, tmp_path):
    assert tuple(tiny_trial.record) == TRIALS_COLUMNS
    folder = trial_folder(Folder.at(str(tmp_path)), tiny_trial.record["trial_id"])
    write_trial(folder, tiny_trial)
    stored = read_parquet(folder, "trials.parquet").schema
    assert [(f.name, f.type) for f in stored] == list(TRIALS_TYPES.items())


def test_an_error_row_has_the_same_columns_and_concatenates_with_an_ok_row():
    cfg = TrialConfig.from_preset("smoke", seed=4)
    bad = error_row("s", "grid", cfg, "GwinError: P_c is empty")
    assert tuple(bad) == TRIALS_COLUMNS
    assert (bad["status"], bad["error"], bad["run"], bad["seed"]) == (
        "error", "GwinError: P_c is empty", "grid", 4)  # fmt: skip
    assert bad["n_confident"] is None and bad["test_gain_over_identity"] is None
    ok = trials_row(cfg.replace(seed=5), "t5", "s", n_confident=12, test_gain_over_identity=1.5)
    assert (ok["status"], ok["error"]) == ("ok", "")
    table = trials_arrow([bad, ok])
    assert table.schema.field("n_confident").type == pa.int64()
    assert table.column("n_confident").to_pylist() == [None, 12]


def test_an_undeclared_column_is_refused_where_the_row_is_built_and_written():
    cfg = TrialConfig.from_preset("smoke")
    with pytest.raises(ValueError, match=r"\['val_new_metric'\] are not declared"):
        trials_row(cfg, "t", "s", val_new_metric=1.0)
    row = {**trials_row(cfg, "t", "s"), "val_new_metric": 1.0}
    with pytest.raises(ValueError, match=r"not declared in gwin.store.trials_table"):
        trials_arrow([row])
