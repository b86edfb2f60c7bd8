"""tables.py --per-trial: each trial's gains and its McNemar counts, recomputed from its raw
predictions by hand."""

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from gwin.analysis.tables import main


def test_per_trial_rows_are_what_each_trials_predictions_give(synthetic_study, capsys):
    assert main([str(synthetic_study), "--per-trial", "--tau", "0.8", "--format", "csv"]) == 0
    from io import StringIO

    table = pd.read_csv(StringIO(capsys.readouterr().out))
    assert len(table) == 7 and "d-failed" not in set(table["trial_id"])  # ok trials only
    for _, row in table.iterrows():
        preds = pd.read_parquet(
            synthetic_study / "trial_outputs" / row["trial_id"] / "predictions.parquet"
        )
        test = preds[(preds["split"] == "test") & (preds["corruption"] == "none")]
        rejected = test[test["bnn_certainty"] < 0.8]
        gwin_ok = rejected["gwin_pred"] == rejected["label"]
        ident_ok = rejected["identity_pred"] == rejected["label"]
        fixed, broken = int((gwin_ok & ~ident_ok).sum()), int((ident_ok & ~gwin_ok).sum())
        assert (row["fixed"], row["broken"]) == (fixed, broken)
        assert np.isclose(row["mcnemar_p"], binomtest(fixed, fixed + broken).pvalue)
        gain = 100 * (gwin_ok.mean() - ident_ok.mean())
        assert np.isclose(row["test_gain"], gain)


def test_per_trial_takes_no_other_table_flags(synthetic_study, capsys):
    assert main([str(synthetic_study), "--per-trial", "--ci"]) == 2
    assert "--per-trial takes no" in capsys.readouterr().err
