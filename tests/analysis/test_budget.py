"""The budget table over studies: means, stds and significance counts worked out by hand."""

import math
from pathlib import Path

import pandas as pd
import pytest

from gwin.analysis.budget import (
    budget_markdown,
    budget_table,
    main,
    strength_markdown,
    strength_rows,
)

ROWS = pd.DataFrame(
    {
        "variant": ["a", "a", "a", "b", "b", "a"],
        "seed": [0, 1, 2, 0, 1, 0],
        "iterations": [1000, 1000, 1000, 1000, 1000, 2000],
        "val_gain": [0.5, 1.5, 4.0, 0.0, -3.0, 2.0],
        "test_gain": [1.0, 2.0, 6.0, -1.0, 1.0, 7.5],
        "mcnemar_p": [0.01, 0.2, 0.001, 0.01, 0.5, 0.04],
    }
)


def test_mean_std_and_significant_seeds_per_variant_and_budget():
    t = budget_table(ROWS).set_index(["variant", "iterations"])
    a = t.loc[("a", 1000)]
    assert (a.val_mean, a.test_mean, a.seeds) == (2.0, 3.0, 3)
    assert a.test_std == pytest.approx(math.sqrt(7.0))  # deviations -2, -1, 3: 14 / (3 - 1)
    assert (a.significant_up, a.significant_down) == (2, 0)  # p = 0.2 is not
    b = t.loc[("b", 1000)]
    assert (b.test_mean, b.test_std) == (0.0, pytest.approx(math.sqrt(2.0)))
    assert (b.significant_up, b.significant_down) == (0, 1)  # -1 at p = 0.01 counts down
    one = t.loc[("a", 2000)]
    assert one.seeds == 1 and math.isnan(one.test_std)


def test_markdown_has_a_row_per_variant_and_a_column_per_budget():
    lines = budget_markdown(budget_table(ROWS)).splitlines()
    assert lines[0] == "| classifier | 1,000 | 2,000 |"
    assert lines[2] == "| `a` | +3.00 ± 2.65 (2↑ 0↓ of 3) | +7.50 ± n/a (1↑ 0↓ of 1) |"
    assert lines[3] == "| `b` | +0.00 ± 1.41 (0↑ 1↓ of 2) |  |"


def test_the_command_prints_the_table_and_writes_the_figure(tmp_path, capsys):
    ROWS.to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "img" / "gain.png"
    assert main([str(tmp_path / "rows.csv"), "--out", str(out)]) == 0
    assert "| `a` | +3.00 ± 2.65" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


STRENGTH = pd.DataFrame(
    {
        "variant": ["lenet5", "lenet5", "lenet5_30ep", "lenet5_10ep", "lenet5_10ep", "bcnn"],
        "seed": [0, 1, 0, 0, 1, 0],
        "iterations": [1000] * 6,
        "val_gain": [0.0] * 6,
        "test_gain": [1.0, 3.0, -1.0, 0.0, 2.0, 9.0],
        "mcnemar_p": [0.5, 0.01, 0.03, 0.9, 0.2, 0.001],
    }
)


def test_the_strength_rows_are_the_lenet5_variants_with_their_epochs():
    rows = strength_rows(STRENGTH)
    assert dict(zip(rows["variant"], rows["clf_epochs"], strict=True)) == {
        "lenet5": 2,
        "lenet5_10ep": 10,
        "lenet5_30ep": 30,
    }  # bcnn is another network, not a point on the epochs axis


def test_the_strength_table_has_a_row_per_epochs_fewest_first():
    lines = strength_markdown(STRENGTH).splitlines()
    assert lines[0] == "| `lenet5` epochs | 1,000 |"
    # 2 epochs: gains 1 and 3 -> mean 2, sd sqrt(2); seed 1 (+3, p 0.01) is significant up
    assert lines[2] == "| 2 (`lenet5`) | +2.00 ± 1.41 (1↑ 0↓ of 2) |"
    assert lines[3] == "| 10 (`lenet5_10ep`) | +1.00 ± 1.41 (0↑ 0↓ of 2) |"
    assert lines[4] == "| 30 (`lenet5_30ep`) | -1.00 ± n/a (0↑ 1↓ of 1) |"
    assert len(lines) == 5


def test_the_command_writes_the_strength_figure_and_refuses_rows_without_lenet5(tmp_path, capsys):
    STRENGTH.to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "strength.png"
    assert main([str(tmp_path / "rows.csv"), "--strength-out", str(out)]) == 0
    assert "| 10 (`lenet5_10ep`) | +1.00 ± 1.41" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ROWS.to_csv(tmp_path / "other.csv", index=False)
    none = tmp_path / "none.png"
    assert main([str(tmp_path / "other.csv"), "--strength-out", str(none)]) == 2
    assert "has no row of a `lenet5` variant" in capsys.readouterr().err
    assert not none.exists()


@pytest.mark.parametrize(
    "rows, message",
    [
        (ROWS.drop(columns="mcnemar_p"), "lacks the column(s) mcnemar_p"),
        (pd.concat([ROWS, ROWS.iloc[:1]]), "two rows for a at 1000 iterations, seed 0"),
    ],
)
def test_bad_rows_fail_in_one_line_and_write_nothing(tmp_path, capsys, rows, message):
    rows.to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "gain.png"
    assert main([str(tmp_path / "rows.csv"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_the_readme_and_fidelity_tables_are_what_the_committed_rows_give():
    """Each doc's budget and strength rows are the ones `gwin budget` prints from the committed
    rows. A run that ends adds its rows before the docs speak of it, so a doc may show fewer
    variants than the rows hold, but never other cells, and always the four classifiers."""
    root = Path(__file__).resolve().parents[2]
    rows = pd.read_csv(root / "docs" / "data" / "budget_per_trial.csv")
    printed = _cells(budget_markdown(budget_table(rows)))
    for doc in ("README.md", "docs/fidelity.md"):
        shown = _cells((root / doc).read_text())
        assert {"lenet5", "lenet5_softmax", "bcnn", "lenet5_30ep"} <= set(shown), doc
        assert shown == {v: printed[v] for v in shown}, doc
    printed = _cells(strength_markdown(rows), strength=True)
    shown = _cells((root / "docs" / "fidelity.md").read_text(), strength=True)
    assert {"lenet5", "lenet5_30ep"} <= set(shown)
    assert shown == {v: printed[v] for v in shown}


def _cells(markdown: str, strength: bool = False) -> dict[str, list[str]]:
    """Table rows by variant -> cells, as printed: the budget table's `| `name` (note) | ...`,
    or with `strength` the strength table's `| 5 (`name`) | ...`."""
    rows = {}
    for line in markdown.splitlines():
        if not line.startswith("| ") or "↑" not in line:
            continue
        first, *cells = [c.strip() for c in line.strip("|").split("|")]
        if first[:1].isdigit() == strength and "`" in first:
            rows[first.split("`")[1]] = [c.replace("−", "-") for c in cells]
    return rows


def test_rows_from_a_study_export_are_that_export_and_the_rest_say_they_are_transcribed():
    """A row of the budget table is either a study's own per-trial export (`tables.py
    --per-trial --format csv`, computed from its predictions) rounded for the table, or says it
    was transcribed from docs whose study folder is gone (its paper's metric cannot be computed)."""
    root = Path(__file__).resolve().parents[2]
    rows = pd.read_csv(root / "docs" / "data" / "budget_per_trial.csv")
    exported = rows[rows["source"].str.startswith("docs/data/")]
    transcribed = rows[~rows.index.isin(exported.index)]
    assert (transcribed["source"] == "docs/fidelity.md (transcribed; study folder gone)").all()
    assert len(exported) >= 16
    for source, part in exported.groupby("source"):
        export = pd.read_csv(root / source).set_index(["seed", "iterations"])
        for _, row in part.iterrows():
            full = export.loc[(row["seed"], row["iterations"])]
            assert (row["fixed"], row["broken"]) == (full["fixed"], full["broken"]), source
            for column in ("val_gain", "test_gain"):
                assert row[column] == pytest.approx(full[column], abs=0.005), (source, column)
            assert row["mcnemar_p"] == pytest.approx(full["mcnemar_p"], rel=0.05, abs=1e-4)
