"""Learning curves: the curves table against the stored history, by hand, and its figure."""

from types import SimpleNamespace

import pandas as pd
import pytest

from gwin.analysis import report, tables
from gwin.report.curves import curves_table, trial_histories
from gwin.store.index import rebuild_index
from gwin.store.location import Folder
from gwin.store.reader import load_results, read_table
from gwin.store.trial_outputs import trial_folder, write_trial
from tests.analysis.conftest import synthetic_predictions, trial_record

# (seed, iterations, [(iteration, val_gain_over_identity), ...]); the 2-report trial of seed 0
# is a snapshot of its 3-report run: its reports are a prefix and must count once
RUNS = [
    (0, 30, [(10, 1.0), (20, 3.0), (30, 5.0)]),
    (1, 30, [(10, 2.0), (20, 6.0), (30, 4.0)]),
    (0, 20, [(10, 1.0), (20, 3.0)]),
]


@pytest.fixture
def curve_study(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    study = Folder.at(tmp_path / "curves")
    for seed, iterations, reports in RUNS:
        tid = f"s{seed}-i{iterations}"
        record = trial_record(tid, seed=seed, iterations=iterations, eval_every=10)
        history = [{"iteration": it, "val_gain_over_identity": g, "critic_loss": -g}
                   for it, g in reports]  # fmt: skip
        result = SimpleNamespace(record=record, predictions=synthetic_predictions(tid, rng),
                                 examples=pd.DataFrame(), history=history)  # fmt: skip
        write_trial(trial_folder(study, tid), result)
    rebuild_index(study)
    return study.location


def test_curves_are_mean_and_std_of_the_longest_runs(curve_study):
    results = load_results(curve_study)
    assert sorted(trial_histories(results)["trial_id"].unique()) == ["s0-i30", "s1-i30"]
    agg = curves_table(results).set_index("iteration")
    assert agg["n_trials"].tolist() == [2, 2, 2]  # the snapshot's reports are not counted again
    assert agg["val_gain_over_identity_mean"].tolist() == [1.5, 4.5, 4.5]
    assert agg.loc[20, "val_gain_over_identity_std"] == pytest.approx(2.1213203)  # sd(3, 6)
    assert agg.loc[10, "critic_loss_mean"] == -1.5
    stored = read_table(curve_study, "history")  # the numbers come from the stored history
    assert len(stored) == 3 + 3 + 2


def test_tables_curves_cli(curve_study, capsys):
    assert tables.main([curve_study, "--curves"]) == 0
    out = capsys.readouterr().out
    assert "| 20 " in out and "4.50 ± 2.12" in out
    assert tables.main([curve_study, "--curves", "--classifiers"]) == 2
    assert "--curves takes no" in capsys.readouterr().err


def test_the_report_draws_the_learning_curve_of_a_smoke_study(smoke_study):
    html = report.build_report(smoke_study)
    section = html[html.index("Learning curves (validation)") :]
    assert "<img" in section and "GWIN − Identity (val, τ = 0.8)" in section
    # the smoke trials validated at iterations 5 and 10
    agg = curves_table(load_results(smoke_study))
    assert sorted(agg["iteration"].unique()) == [5, 10]
