"""`gwin paper-check`: every cell of Table 1 that a study covers, ours beside the paper's, with
the verdict of docs/fidelity.md's rule. The study is built by hand so that every number below is
worked out on paper: 100 MNIST test inputs per seed, 97 at certainty 0.99 (all right) and 3 at
0.5, so 3% are rejected at every tau from 0.7 on and none at 0.5."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gwin.analysis.paper_check import main
from gwin.config import TrialConfig
from gwin.method.evaluate import predictions_frame
from gwin.report.paper_check import band, departures, paper_check, verdict
from gwin.store.reader import load_many, load_results
from tests.analysis.conftest import trial_record, write_study


def _predictions(trial_id: str, bnn_right: int) -> pd.DataFrame:
    """Of the 3 rejected inputs, the BNN labels `bnn_right` correctly and the GWIN all 3."""
    label = np.arange(100) % 10
    wrong = (label + 1) % 10
    cert = np.r_[np.full(97, 0.99), np.full(3, 0.5)]
    bnn_ok = np.r_[np.ones(97, bool), np.arange(3) < bnn_right]
    cols = {
        "label": label,
        "bnn_pred": np.where(bnn_ok, label, wrong),
        "bnn_certainty": cert,
        "bnn_gt_certainty": cert,
        "gwin_pred": label,
        "gwin_certainty": np.full(100, 0.99),
        "gwin_gt_certainty": np.full(100, 0.99),
        "identity_pred": np.where(bnn_ok, label, wrong),
        "identity_certainty": cert,
        "identity_gt_certainty": cert,
    }
    return pd.concat(
        [predictions_frame(cols, trial_id=trial_id, split=s, corruption="none")
         for s in ("val", "test")],
        ignore_index=True,
    )  # fmt: skip


def _mnist_study(root, seeds: tuple[int, ...]):
    """Seed 0's BNN labels 2 of its 3 rejected inputs right, seed 1's 1 of 3."""
    records = [trial_record(f"m-s{s}", dataset="mnist", seed=s) for s in seeds]
    preds = pd.concat([_predictions(f"m-s{s}", 2 - s) for s in seeds], ignore_index=True)
    examples = pd.DataFrame({c: pd.Series(dtype=preds[c].dtype) for c in preds.columns}).assign(
        image=pd.Series(dtype=object), transformed=pd.Series(dtype=object)
    )
    return write_study(root, pd.DataFrame(records), preds, examples)


@pytest.fixture(scope="module")
def mnist_study(tmp_path_factory):
    return _mnist_study(tmp_path_factory.mktemp("paper-check") / "study", (0, 1))


def _cell(frame: pd.DataFrame, metric: str, tau: float | None) -> pd.Series:
    at = frame["tau"].isna() if tau is None else np.isclose(frame["tau"], tau)
    return frame[at & (frame["metric"] == metric)].iloc[0]


def test_every_cell_is_ours_beside_the_paper_with_the_rule_s_verdict(mnist_study):
    frame = paper_check(load_results(str(mnist_study)))
    # 6 taus x 6 metrics of Table 1, plus the accuracy with no rejection
    assert len(frame) == 37 and set(frame["n_seeds"]) <= {0, 2}
    reject = _cell(frame, "pct_reject", 0.8)  # 3.00 against 2.74 (no std): band ±25%
    assert (reject["ours_mean"], reject["ours_std"]) == (3.0, 0.0)
    assert reject["low"] == pytest.approx(2.055) and reject["verdict"] == "agrees"
    # BNN Acc.: seeds 66.67 and 33.33, mean 50.00, std 23.57; the paper's band is 58.91 ± 2.98;
    # the mean is outside it but the t-interval (± 12.706 · 23.57 / √2 = ± 211.8) reaches in
    bnn = _cell(frame, "bnn_acc_rejected", 0.8)
    assert bnn["ours_mean"] == pytest.approx(50.0)
    assert bnn["ours_std"] == pytest.approx(23.570226, rel=1e-6)
    assert (bnn["low"], bnn["high"]) == (pytest.approx(55.93), pytest.approx(61.89))
    assert bnn["verdict"] == "overlaps"
    gwin = _cell(frame, "gwin_acc_rejected", 0.8)  # 100 ± 0 against 86.30 ± 2·1.85
    assert gwin["ours_mean"] == 100.0 and gwin["verdict"] == "outside"
    assert _cell(frame, "pct_reject", 0.99)["verdict"] == "outside"  # 3.00 vs 11.00 ± 2.75
    base = _cell(frame, "base_acc", None)  # 99 and 98 against 98.0 ± 1 point
    assert base["ours_mean"] == pytest.approx(98.5) and base["verdict"] == "agrees"
    assert base["ours_std"] == pytest.approx(math.sqrt(0.5))


def test_the_command_prints_the_cells_and_a_count(mnist_study, capsys):
    assert main([str(mnist_study)]) == 0
    out = capsys.readouterr().out
    assert "| 0.80 | BNN Acc." in out and "58.91 ± 1.49" in out and "overlaps" in out
    assert "37 cells of the paper's tables:" in out


def test_one_study_per_seed_reads_as_the_study_of_both_seeds(mnist_study, tmp_path, capsys):
    seed0 = _mnist_study(tmp_path / "seed0", (0,))
    seed1 = _mnist_study(tmp_path / "seed1", (1,))
    assert main([str(mnist_study), "--format", "csv"]) == 0
    together = capsys.readouterr().out
    assert main([str(seed0), str(seed1), "--format", "csv"]) == 0
    assert capsys.readouterr().out == together  # BNN Acc. 50.00 ± 23.57 over the 2 seeds
    frame = paper_check(load_many([str(seed0), str(seed1)]))
    assert _cell(frame, "bnn_acc_rejected", 0.8)["ours_mean"] == pytest.approx(50.0)
    assert set(frame["n_seeds"]) <= {0, 2}


def test_committed_per_tau_tables_check_as_their_studies_do(tmp_path, capsys):
    """docs/data keeps each run's per-tau table, not its study: the check of two one-seed
    tables (as `gwin tables --format csv` writes them) equals the check of the two studies."""
    from gwin.analysis.tables import main as tables_main

    tables = []
    for seed in (0, 1):
        study = _mnist_study(tmp_path / f"seed{seed}", (seed,))
        assert tables_main([str(study), "--format", "csv"]) == 0
        tables.append(tmp_path / f"seed{seed}_test_by_tau.csv")
        tables[-1].write_text(capsys.readouterr().out)
    studies = [str(tmp_path / "seed0"), str(tmp_path / "seed1")]
    from_studies = paper_check(load_many(studies))
    assert main([str(t) for t in tables]) == 0
    out = capsys.readouterr().out
    assert "37 cells of the paper's tables" in out and "those of the runs that wrote" in out
    assert main([*map(str, tables), "--format", "csv"]) == 0
    out = io.StringIO(capsys.readouterr().out)
    from_tables = pd.read_csv(out, keep_default_na=False, na_values=[""])  # verdict "n/a"
    pd.testing.assert_frame_equal(from_tables, from_studies, check_dtype=False)
    assert _cell(from_tables, "bnn_acc_rejected", 0.8)["ours_std"] == pytest.approx(23.570226)
    assert main([str(tables[0]), studies[1]]) == 2  # a table beside a study
    assert "not both" in capsys.readouterr().err
    assert main([str(tables[0]), "--split", "val"]) == 2
    assert "holds one split already" in capsys.readouterr().err


def test_a_study_passed_twice_is_refused_in_one_line(mnist_study, capsys):
    assert main([str(mnist_study), str(mnist_study)]) != 0
    err = capsys.readouterr().err.strip()
    assert "trial m-s0 is in both" in err and "pass each study once" in err
    assert len(err.splitlines()) == 1


def test_a_study_without_the_paper_s_datasets_is_one_line(synthetic_study, capsys):
    # synthetic_study has digits and fashion_mnist: only the latter is checked
    assert main([str(synthetic_study)]) == 0
    assert "fashion_mnist" in capsys.readouterr().out


def test_the_rule_by_hand():
    assert band("pct_reject", 2.74, math.nan) == pytest.approx((2.055, 3.425))
    assert band("base_acc", 98.0, math.nan) == (97.0, 99.0)
    assert band("rejected_acc_delta", 27.39, 2.03) == pytest.approx((23.33, 31.45))
    assert verdict(25.0, 1.0, 3, 23.33, 31.45) == "agrees"
    assert verdict(20.0, 1.0, 1, 23.33, 31.45) == "outside"  # one seed: no interval
    # 3 seeds, mean 20, std 2: ± 4.303 · 2 / √3 = ± 4.97, so up to 24.97: reaches 23.33
    assert verdict(20.0, 2.0, 3, 23.33, 31.45) == "overlaps"
    assert verdict(math.nan, math.nan, 0, 23.33, 31.45) == "n/a"


def test_gwin_paper_check_is_a_subcommand_and_refuses_a_digits_study(tmp_path):
    import subprocess
    import sys

    records = [trial_record("d-s0", dataset="digits", seed=0)]
    preds = _predictions("d-s0", 2)
    examples = pd.DataFrame({c: pd.Series(dtype=preds[c].dtype) for c in preds.columns})
    study = write_study(tmp_path / "digits", pd.DataFrame(records), preds,
                        examples.assign(image=None, transformed=None))  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "gwin", "paper-check", str(study)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "the paper has tables for mnist and fashion_mnist only" in run.stderr
    assert "holds digits" in run.stderr


def test_the_check_names_every_setting_that_is_not_the_paper_s(mnist_study, capsys):
    """The study's trials are the smoke preset's: each departure from the paper is named with
    the paper's value, so nobody reads a 4-epoch classifier's numbers as the paper's."""
    assert main([str(mnist_study)]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("Settings not")]
    assert line == [
        "Settings not the paper's: clf_epochs 4 (paper: 30); clf_batch_size 64 (paper: 128); "
        "generator residual (paper: dcgan); dim 8 (paper: 64); z_dim 16 (paper: 128); "
        "n_critic 2 (paper: 5); lr_g 0.001 (paper: 0.0001); lr_d 0.001 (paper: 0.0001); "
        "batch_size 32 (paper: 128); iterations 600 (paper: 200000)."
    ]


def test_departures_read_a_missing_limit_as_all_and_list_each_value_once():
    paper = pd.DataFrame([TrialConfig.from_preset("paper", dataset="mnist").result_fields()] * 2)
    paper["confident_pool"] = np.nan  # how a None limit comes back from Parquet
    assert departures(paper) == "Every setting that decides the paper's numbers is the paper's."
    two = paper.assign(clf_epochs=[2, 30], confident_pool=[10_000, np.nan])
    assert departures(two) == (
        "Settings not the paper's: clf_epochs 2/30 (paper: 30); "
        "confident_pool 10000/all (paper: all)."
    )


DATA = Path(__file__).resolve().parents[2] / "docs" / "data"


def test_the_committed_checks_are_what_the_committed_tables_print(capsys, monkeypatch):
    """docs/fidelity.md quotes these files; a fresh clone prints them again from the rows."""
    monkeypatch.chdir(DATA.parents[1])  # the caption names the table as the docs' command does
    assert main(["docs/data/factor_fashion_30ep_s0_budget20k_test_by_tau.csv"]) == 0
    assert capsys.readouterr().out == (DATA / "paper_check_fashion_30ep_s0.md").read_text()
    # MNIST's check was printed from the two studies: its cells, from their two tables
    seeds = [DATA / f"budget_mnist_lenet5_30ep_s{s}_test_by_tau.csv" for s in (0, 1)]
    assert main([str(p) for p in seeds]) == 0
    cells = [x for x in capsys.readouterr().out.splitlines() if x.startswith("| mnist")]
    committed = (DATA / "paper_check_mnist_30ep_s01.md").read_text().splitlines()
    assert len(cells) == 148 and cells == [x for x in committed if x.startswith("| mnist")]
