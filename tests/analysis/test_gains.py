"""`gwin gains`: runs kept as per-trial rows, one line per run over its seeds, by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gwin.analysis.gains import main, read_runs, run_label

HEAD = "dataset,seed,iterations,val_gain,test_rejected_acc_delta,test_gain\n"


def _rows(path: Path, lines: list[str]) -> Path:
    path.write_text(HEAD + "".join(f"{line}\n" for line in lines))
    return path


@pytest.fixture()
def runs(tmp_path):
    """pool_all on MNIST with seeds 0 and 1 (two files), and on Fashion-MNIST with seed 0."""
    return [
        _rows(tmp_path / "factor_mnist_30ep_s0_pool_all_per_trial.csv",
              ["mnist,0,1500,-2.0,1.0,3.0", "mnist,0,8000,1.0,2.0,4.0"]),
        _rows(tmp_path / "factor_mnist_30ep_s1_pool_all_per_trial.csv",
              ["mnist,1,1500,-4.0,3.0,5.0", "mnist,1,8000,3.0,2.0,6.0"]),
        _rows(tmp_path / "factor_fashion_30ep_s0_pool_all_per_trial.csv",
              ["fashion_mnist,0,1500,0.5,0.25,0.0"]),
    ]  # fmt: skip


def test_a_run_s_name_drops_its_seed_and_dataset():
    assert run_label(Path("factor_fashion_30ep_s0_pool_all_per_trial.csv"), "fashion_mnist") == (
        "factor_30ep_pool_all"
    )
    assert run_label(Path("budget_mnist_lenet5_30ep_s1_per_trial.csv"), "mnist") == (
        "budget_lenet5_30ep"
    )


def test_one_line_per_run_mean_and_sd_over_its_seeds(runs, tmp_path, capsys):
    out = tmp_path / "img" / "gains.png"
    assert main([*map(str, runs), "--out", str(out), "--ran-on", "cpu, 1 thread"]) == 0
    table = capsys.readouterr().out.splitlines()
    # MNIST at 1,500: val -2 and -4 -> -3.00 ± 1.41; paper's 1 and 3 -> 2.00 ± 1.41; ours 4 ± 1.41
    assert (
        "| mnist | factor_30ep_pool_all | 1,500 | 2 | -3.00 ± 1.41 | +2.00 ± 1.41 | +4.00 ± 1.41 |"
    ) in table
    assert (
        "| mnist | factor_30ep_pool_all | 8,000 | 2 | +2.00 ± 1.41 | +2.00 ± 0.00 | +5.00 ± 1.41 |"
    ) in table
    # one seed: no std
    assert "| fashion_mnist | factor_30ep_pool_all | 1,500 | 1 | +0.50 | +0.25 | +0.00 |" in table
    assert table[-1] == f"figure: {out}" and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_figure_says_where_the_rows_ran_from_their_own_column(runs):
    from gwin.analysis.gains import ran_on

    old = read_runs(runs[:2])  # older exports: no ran_on column, the flag's text stands in
    assert ran_on(old, "cpu, 1 thread (flag)") == "cpu, 1 thread (flag)"
    rows = pd.read_csv(runs[2]).assign(ran_on="cuda, 16 threads")
    rows.to_csv(runs[2], index=False)
    mixed = read_runs(runs)
    assert ran_on(mixed, "not recorded") == "cuda, 16 threads; not recorded"


def test_bad_rows_are_one_line_errors_and_write_no_figure(runs, tmp_path, capsys):
    out = tmp_path / "gains.png"
    lacking = tmp_path / "x_per_trial.csv"
    pd.DataFrame({"dataset": ["mnist"], "seed": [0]}).to_csv(lacking, index=False)
    for argv, message in [
        ([str(runs[0]), str(runs[0])], "pass each run's file once"),
        ([str(lacking)], "lacks iterations, val_gain"),
        ([str(tmp_path / "none.csv")], "no such file"),
        ([str(runs[0]), "--out", str(tmp_path / "g.txt")], "name a .png, .pdf or .svg"),
    ]:
        assert main([*argv, "--out", str(out)] if "--out" not in argv else argv) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_the_committed_factor_rows_read_as_one_line_per_factor():
    data = Path(__file__).resolve().parents[2] / "docs" / "data"
    runs = read_runs(sorted(data.glob("factor_*_per_trial.csv")))
    assert {"factor_30ep_pool_all", "factor_30ep_budget20k"} <= set(runs["run"])
    assert set(runs["dataset"]) == {"mnist", "fashion_mnist"}
