"""One name per trial: Tune's trial names, trial folders and console carry gwin's trial id."""

import json
import re

import pytest

from gwin.store.reader import read_table
from gwin.tune.progress_table import WIDTH, render, stage


def test_the_table_fits_100_columns_whatever_the_fields():
    fields = [f"a_rather_long_field_name_{i}" for i in range(8)]
    rows = [
        {"trial": "0123456789ab", **{f: 0.000123456789 * i for f in fields},
         "stage": "gwin 123456/200000", "metric": "+12.34"}
        for i in range(3)
    ]  # fmt: skip
    lines = render(rows, fields)
    assert max(map(len, lines)) <= WIDTH
    assert lines[0].startswith("trial") and "stage" in lines[0] and "val gain" in lines[0]
    assert all("0123456789ab" in line and "+12.34" in line for line in lines[1:4])
    assert lines[-1].startswith("(not shown: ")  # what did not fit is named
    short = render([{"trial": "0123456789ab", "lambda_loss": 10.0, "seed": 1,
                     "stage": "done", "metric": "+1.00"}], ["lambda_loss", "seed"])  # fmt: skip
    assert short[0].split() == ["trial", "lambda_loss", "seed", "stage", "val", "gain"]
    assert short[1].split() == ["0123456789ab", "10", "1", "done", "+1.00"]


@pytest.mark.parametrize(
    ("status", "result", "shown"),
    [
        ("PENDING", None, "pending"),
        ("RUNNING", None, "setup"),
        ("RUNNING", {"gen_iter": 40}, "gwin 40/6000"),
        ("TERMINATED", {"gen_iter": 6000, "trial_key": "x"}, "done"),
        ("TERMINATED", {"gen_iter": 3000}, "stopped"),
        ("TERMINATED", {"gen_iter": 0, "diverged": 1}, "diverged"),
        ("ERROR", {"gen_iter": 40}, "error"),
    ],
)
def test_a_trial_stage_comes_from_its_status_and_last_report(status, result, shown):
    assert stage(status, result, 6000) == shown


@pytest.mark.slow
def test_tune_trial_names_and_folders_are_gwin_trial_ids(
    local_ray, study, tiny, tmp_path, warm_cache, capsys
):
    # -v: the table of all trials, not a line per trial event
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "0", "10", "--seeds", "1",
            "--cache-dir", warm_cache, "-v"]  # fmt: skip
    assert study("ablation_lambda.py", argv) == 0
    folder = tmp_path / "ablation_lambda"
    ids = set(read_table(folder, "trials")["trial_id"])
    assert len(ids) == 2
    run = folder / "tune" / "grid"
    dirs = [p.name for p in run.iterdir() if p.is_dir()]
    assert sorted(d.split("_")[0] for d in dirs) == sorted(ids), dirs
    assert all(re.fullmatch(r"[0-9a-f]{12}_[0-9a-f]+_\d{5}", d) for d in dirs), dirs
    (state,) = run.glob("experiment_state-*.json")
    trials = [json.loads(t) for t, _ in json.loads(state.read_text())["trial_data"]]
    assert {t["custom_trial_name"] for t in trials} == ids
    out = capsys.readouterr().out
    last = out[out.rindex(" grid: ") :]  # the last table, printed when the run ends
    table = last.split("\n\n")[0].splitlines()
    print(last)
    assert "2 done" in table[0]
    assert table[1].split() == ["trial", "lambda_loss", "stage", "val", "gain"]
    assert {line.split()[0] for line in table[2:4]} == ids
    assert all(line.split()[2] == "done" for line in table[2:4])
    assert max(len(line) for line in table) <= WIDTH
