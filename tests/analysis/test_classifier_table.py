"""The classifier comparison of analysis/tables.py --classifiers and the report."""

import numpy as np
import pandas as pd
import pytest

from gwin.analysis import report, tables
from gwin.metrics.selective import aurc
from tests.analysis.conftest import (
    synthetic_examples,
    synthetic_predictions,
    trial_record,
    write_study,
)

# (trial_id, classifier, seed, test_ece, test_nll); the softmax net's seed 1 predates the
# calibration columns (NaN), so its ECE cell counts one trial
TRIALS = [
    ("l-s0", "lenet5", 0, 0.10, 0.50),
    ("l-s1", "lenet5", 1, 0.20, 0.70),
    ("s-s0", "lenet5_softmax", 0, 0.30, 0.90),
    ("s-s1", "lenet5_softmax", 1, np.nan, np.nan),
]


@pytest.fixture(scope="module")
def variants_study(tmp_path_factory):
    rng = np.random.default_rng(3)
    records, preds, examples = [], [], []
    for trial_id, classifier, seed, ece, nll in TRIALS:
        record = trial_record(trial_id, dataset="digits", classifier=classifier, seed=seed)
        records.append({**record, "test_ece": ece, "test_nll": nll})
        p = synthetic_predictions(trial_id, rng)
        preds.append(p)
        examples.append(synthetic_examples(p, rng))
    root = tmp_path_factory.mktemp("variants") / "study"
    return write_study(
        root, pd.DataFrame(records), pd.concat(preds), pd.concat(examples, ignore_index=True)
    )


def test_table_holds_calibration_and_aurc_per_classifier(variants_study, expected_cell):
    text = tables.build_classifiers(str(variants_study), "test", 0.8)
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if "lenet5" in line}
    assert set(rows) == {"lenet5", "lenet5_softmax"}
    assert "15.00 ± 7.07" in rows["lenet5"]  # ECE in %: mean and sd of 10 and 20
    assert "0.60 ± 0.14" in rows["lenet5"]  # NLL
    assert "30.00 ± n/a (n=1)" in rows["lenet5_softmax"]
    for metric in ("bnn_acc", "pct_reject", "gwin_acc_rejected", "identity_acc_rejected"):
        assert expected_cell(variants_study, ["l-s0", "l-s1"], metric, 0.8) in rows["lenet5"]
    values = []
    for trial in ("s-s0", "s-s1"):
        p = pd.read_parquet(variants_study / "trial_outputs" / trial / "predictions.parquet")
        p = p[p["split"] == "test"]
        p = p[p["corruption"] == "none"]
        values.append(100 * aurc(p["bnn_certainty"], p["bnn_pred"] == p["label"]))
    cell = f"{np.mean(values):.2f} ± {np.std(values, ddof=1):.2f}"
    assert cell in rows["lenet5_softmax"]


def test_cli_and_csv(variants_study, capsys):
    assert tables.main([str(variants_study), "--classifiers", "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert csv.splitlines()[0].startswith("dataset,classifier,n_trials")
    assert "ece_mean" in csv and "nll_std" in csv
    assert tables.main([str(variants_study), "--classifiers", "--vs-paper"]) == 2
    assert "--classifiers takes no" in capsys.readouterr().err


def test_report_section(variants_study):
    html = report.build_report(variants_study)
    section = html[html.index("Classifier variants") :]
    assert "ECE (%)" in section and "15.00 ± 7.07" in section and "lenet5_softmax" in section
