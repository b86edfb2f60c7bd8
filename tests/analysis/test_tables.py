"""analysis/tables.py: values, grouping, formats, the paper comparison and one-line errors."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gwin.analysis import tables
from gwin.store.reader import write_parquet

ROOT = Path(__file__).resolve().parents[2]


def test_markdown_tables_hold_the_hand_aggregated_values(synthetic_study, expected_cell):
    text = tables.build(str(synthetic_study))
    sections = text.split("## ")[1:]
    assert [s.split(" (")[0] for s in sections] == [
        "digits / bcnn",
        "digits / lenet5",
        "fashion_mnist / lenet5",
    ]
    lenet = sections[1]
    row = next(line for line in lenet.splitlines() if line.startswith("| 10 ") and "| 0.8 " in line)
    assert expected_cell(synthetic_study, ["d-l10-s0", "d-l10-s1"], "bnn_acc_rejected", 0.8) in row
    assert expected_cell(synthetic_study, ["d-l10-s0", "d-l10-s1"], "error_delta_pct", 0.8) in row
    # the identity baseline stands beside the GWIN in every tau-sweep table
    assert "Identity Acc." in lenet and "GWIN − Identity" in lenet
    for metric in ("identity_acc_rejected", "gain_over_identity"):
        assert expected_cell(synthetic_study, ["d-l10-s0", "d-l10-s1"], metric, 0.8) in row
    # the single-seed dataset: every defined cell has an undefined std, never 0
    fashion_rows = [line for line in sections[2].splitlines() if line.startswith("| 10 ")]
    assert fashion_rows and all("± 0.00" not in line for line in fashion_rows)
    assert all("± n/a" in line for line in fashion_rows)


def test_by_none_pools_and_says_so(synthetic_study, expected_cell):
    text = tables.build(str(synthetic_study), by=[])
    assert "pooled over lambda_loss" in text
    lenet = text.split("## ")[2]
    row = next(line for line in lenet.splitlines() if line.startswith("| 0.8 "))
    trials = ["d-l1-s0", "d-l1-s1", "d-l10-s0", "d-l10-s1"]
    assert expected_cell(synthetic_study, trials, "gwin_acc_rejected", 0.8) in row
    assert row.rstrip("| ").endswith("4")  # n


def test_val_split_and_corruption(synthetic_study):
    assert "val split, corruption none" in tables.build(str(synthetic_study), split="val")
    assert "corruption rotate" in tables.build(str(synthetic_study), corruption="rotate")


def test_vs_paper_only_for_datasets_with_a_paper_table(synthetic_study):
    text = tables.build(str(synthetic_study), vs_paper=True)
    assert text.count("## ") == 1 and "fashion_mnist / lenet5 (vs the paper" in text
    assert "| 0.8  | BNN Acc." in text and "57.87 ± 0.89" in text
    rows = pd.read_csv(io.StringIO(tables.build(str(synthetic_study), vs_paper=True, fmt="csv")))
    assert {"diff", "diff_in_paper_std", "paper_mean"} <= set(rows.columns)


def test_csv_and_latex(synthetic_study):
    rows = pd.read_csv(io.StringIO(tables.build(str(synthetic_study), fmt="csv")))
    assert {
        "dataset",
        "classifier",
        "lambda_loss",
        "tau",
        "n_trials",
        "bnn_acc_rejected_mean",
        "bnn_acc_rejected_std",
    } <= set(rows.columns)
    assert rows.loc[rows["dataset"] == "fashion_mnist", "pct_reject_std"].isna().all()
    tex = tables.build(str(synthetic_study), fmt="latex")
    assert r"\begin{tabular}" in tex and r"$\pm$" in tex


def run_main(capsys, *argv):
    code = tables.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_input_gives_one_line_and_exit_2(capsys, tmp_path, synthetic_study):
    code, _, err = run_main(capsys, tmp_path / "nope")
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    failed = tmp_path / "failed"
    write_parquet(
        pd.DataFrame(
            [
                {
                    "trial_id": "x",
                    "study": "s",
                    "dataset": "digits",
                    "classifier": "lenet5",
                    "seed": 0,
                    "lambda_loss": 10.0,
                    "tau_star": 0.95,
                    "preset": "smoke",
                    "n_confident": 0,
                    "classifier_cache_hit": False,
                    "status": "error",
                    "error": "OOM\nline two",
                    "taus": json.dumps([0.5]),
                }
            ]
        ),
        failed / "results" / "trials.parquet",
    )
    code, _, err = run_main(capsys, failed)
    assert code == 2 and "none of the 1 trials" in err and err.count("\n") == 1
    old = tmp_path / "old"
    trials = pd.read_parquet(synthetic_study / "results" / "trials.parquet")
    write_parquet(trials.drop(columns=["classifier_cache_hit"]), old / "trials.parquet")
    code, _, err = run_main(capsys, old)
    assert code == 2 and "lacks the trials columns" in err and err.count("\n") == 1
    # a table from before schema versions (no version key) is refused with what to do
    unversioned = tmp_path / "unversioned"
    unversioned.mkdir()
    pq.write_table(pa.Table.from_pandas(trials), unversioned / "trials.parquet")
    code, _, err = run_main(capsys, unversioned)
    assert code == 2 and "holds results schema v1, this gwin reads v3" in err
    assert err.count("\n") == 1
    code, _, err = run_main(capsys, tmp_path / "not-a-study-dir-at-all")
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("hello")
    code, _, err = run_main(capsys, tmp_path / "notes")
    assert code == 2 and "is not a gwin study or trial folder" in err
    code, _, err = run_main(capsys, synthetic_study, "--by", "nonsense")
    assert code == 2 and "cannot group by ['nonsense']" in err
    code, _, err = run_main(capsys, synthetic_study, "--by", "dataset")
    assert code == 2 and err.count("\n") == 1


def test_runs_as_a_script(synthetic_study):
    done = subprocess.run(
        [sys.executable, "analysis/tables.py", str(synthetic_study / "results"), "--by", "none"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("## digits / bcnn")
    missing = subprocess.run(
        [sys.executable, "analysis/tables.py", "/nonexistent/study"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_every_format_renders(synthetic_study, fmt):
    assert "digits / lenet5" in tables.build(str(synthetic_study), fmt=fmt)


def test_reading_under_each_table_counts_what_the_raw_predictions_give(synthetic_study):
    """The reading's counts, worked out independently from the trials' raw predictions."""
    import numpy as np

    from gwin.method.rejection import DEFAULT_TAUS
    from gwin.metrics.sweep import tau_sweep

    sweeps = []
    for trial in ("d-l10-s0", "d-l10-s1"):
        preds = pd.read_parquet(synthetic_study / "trial_outputs" / trial / "predictions.parquet")
        test = preds[(preds["split"] == "test") & (preds["corruption"] == "none")]
        sweeps.append(tau_sweep(test, list(DEFAULT_TAUS)))
    gain = np.array([s["gain_over_identity"].to_numpy() for s in sweeps])
    delta = np.array([s["rejected_acc_delta"].to_numpy() for s in sweeps])
    mean, std = gain.mean(axis=0), gain.std(axis=0, ddof=1)
    won, clear, n = int((mean > 0).sum()), int((mean - std > 0).sum()), int(np.isfinite(mean).sum())
    lenet = tables.build(str(synthetic_study)).split("## ")[2]
    line = next(x for x in lenet.splitlines() if x.startswith("Reading (lambda_loss = 10,"))
    assert f"2 seeds): the GWIN beats the identity baseline at {won} of {n} taus" in line
    assert (f"at {clear} by more" if clear else "at none by more") in line
    assert f"BNN+GWIN beats the BNN at {int((delta.mean(axis=0) > 0).sum())} of {n}." in line


def test_every_table_ends_with_where_it_ran(smoke_study, capsys):
    """Threads and device are part of a result: the footer names them and the seeds."""
    import torch

    assert tables.main([str(smoke_study)]) == 0
    out = capsys.readouterr().out
    n = torch.get_num_threads()  # the smoke study ran in this process, outside Ray
    assert out.rstrip().endswith(
        f"Ran on: cpu at {n} thread{'s' if n > 1 else ''} (4 trials); seeds 0, 1."
    )
    assert tables.main([str(smoke_study), "--per-trial"]) == 0
    assert "Ran on: cpu at" in capsys.readouterr().out
    assert tables.main([str(smoke_study), "--format", "csv"]) == 0
    assert "Ran on" not in capsys.readouterr().out  # CSV is data
