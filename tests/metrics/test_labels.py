"""Column labels live in gwin.metrics.labels alone: the tables, the report and the Python API
show what it says (issue 39: "column labels defined once ... used by tables, report and API")."""

import pytest

from gwin.metrics.labels import BASELINE_LABELS, LABELS, PAPER_LABELS, classifier_labels, labels


def test_tables_take_their_headers_from_the_labels_module():
    from gwin.report import classifier_table, over_seeds, per_trial, sampling, sweep_table, tables

    for shown in (tables.HEADLINE_METRICS, tables.ROBUSTNESS_METRICS, tables.SELECTIVE_METRICS,
                  sampling.LABELS):  # fmt: skip
        assert shown == labels(shown)
    assert tables.PAPER_METRICS == labels(tables.PAPER_METRICS, PAPER_LABELS)
    assert sweep_table.SWEEP_TABLE_COLUMNS == {**PAPER_LABELS, **BASELINE_LABELS}
    assert classifier_table.COMPARISON_METRICS["bnn_acc_rejected"] == "C Acc. (rejected)"
    headers = [h for *_, pair in over_seeds.TESTS for h in pair]
    assert f"{LABELS['gain_over_identity']} 95% CI" in headers
    assert f"{LABELS['rejected_acc_delta']} 95% CI" in headers
    assert per_trial.LABELS is LABELS


def test_the_report_and_the_api_use_the_same_labels():
    import gwin.study
    from gwin.analysis import report_verdict
    from gwin.report import verdict

    assert report_verdict.LABELS is LABELS and gwin.study.LABELS is LABELS
    assert verdict.VERDICT_METRICS["gain_over_identity"] == LABELS["gain_over_identity"]
    # the API hands out the labels (a copy: a caller's edit cannot change the tables)
    shown = gwin.study.Study.labels.fget(None)
    assert shown == LABELS and shown is not LABELS


def test_labels_keeps_the_order_asked_and_names_a_missing_column():
    assert list(labels(["aurc_delta", "bnn_acc"])) == ["aurc_delta", "bnn_acc"]
    assert classifier_labels(["bnn_aurc"]) == {"bnn_aurc": "AURC C w/ reject (%)"}
    with pytest.raises(KeyError, match="no_such_metric"):
        labels(["no_such_metric"])
