"""Display tables: mean ± std cells, undefined std, partial counts, paper comparison, formats."""

import math

import pandas as pd
import pytest

from gwin.errors import GwinError
from gwin.report.tables import (
    PAPER_METRICS,
    comparison_table,
    mean_std_table,
    paper_comparison,
    render,
)


def agg_row(tau, n_trials, **metrics):
    """An aggregate row: metric=(mean, std, count) for every paper metric (default 1, 0.5, n)."""
    row = {"dataset": "mnist", "classifier": "lenet5", "tau": tau, "n_trials": n_trials}
    for m in PAPER_METRICS:
        mean, std, count = metrics.get(m, (1.0, 0.5, n_trials))
        row.update({f"{m}_mean": mean, f"{m}_std": std, f"{m}_count": count})
    return row


def test_mean_std_table_cells():
    agg = pd.DataFrame(
        [
            agg_row(0.5, 3, bnn_acc_rejected=(40.234, 8.509, 3), gwin_acc_rejected=(70.0, 1.0, 2)),
            agg_row(0.8, 1, bnn_acc_rejected=(58.0, math.nan, 1)),
            agg_row(0.1, 2, bnn_acc_rejected=(math.nan, math.nan, 0)),
        ]
    )
    table = mean_std_table(agg, ["tau"], PAPER_METRICS)
    assert list(table.columns) == ["τ", *PAPER_METRICS.values(), "n"]
    assert table["BNN Acc."].tolist() == ["40.23 ± 8.51", "58.00 ± n/a", "n/a"]
    assert table["BNN+GWIN Acc."].iloc[0] == "70.00 ± 1.00 (n=2)"  # one of 3 trials undefined
    assert table["τ"].tolist() == ["0.5", "0.8", "0.1"]
    assert table["n"].tolist() == [3, 1, 2]


def test_paper_comparison_in_units_of_paper_std():
    # paper, MNIST tau=0.5: BNN Acc. 40.23 ± 8.51, % Reject 0.39 (no std)
    agg = pd.DataFrame([agg_row(0.5, 2, bnn_acc_rejected=(48.74, 1.0, 2)), agg_row(0.3, 2)])
    comp = paper_comparison(agg, "mnist", ["tau"])
    assert set(comp["tau"]) == {0.5}  # the paper has no tau=0.3 row
    bnn = comp.set_index("metric").loc["bnn_acc_rejected"]
    assert bnn["diff"] == pytest.approx(8.51)
    assert bnn["diff_in_paper_std"] == pytest.approx(1.0)
    assert math.isnan(comp.set_index("metric").loc["pct_reject", "diff_in_paper_std"])
    shown = comparison_table(comp).set_index("metric")
    assert shown.loc["BNN Acc.", "paper"] == "40.23 ± 8.51"
    assert shown.loc["BNN Acc.", "Δ / paper std"] == "+1.0"
    assert shown.loc["% Reject", "paper"] == "0.39"
    with pytest.raises(GwinError, match="no tau in common"):
        paper_comparison(pd.DataFrame([agg_row(0.3, 2)]), "mnist", ["tau"])


def test_render_formats():
    table = pd.DataFrame({"τ": ["0.5"], "% Reject": ["1.00 ± n/a"], "Rejected Acc. Δ": ["2 ± 1"]})
    md = render(table, "markdown")
    assert md.splitlines()[0].startswith("| τ") and "1.00 ± n/a" in md
    tex = render(table, "latex")
    assert r"\% Reject" in tex and r"$\pm$" in tex and r"$\Delta$" in tex and "±" not in tex
    assert "<table" in render(table, "html")
    assert render(table, "csv").splitlines()[0] == "τ,% Reject,Rejected Acc. Δ"
    with pytest.raises(GwinError, match="unknown table format"):
        render(table, "xlsx")
