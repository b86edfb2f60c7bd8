"""The damaged-and-hostile-study catalogue of docs/reliability.md: a study folder is input too.
Each damaged or hostile folder, read by a gwin command as a user would, gives one line starting
"error: " that names the file and what to do, exits 2, and leaves the folder as it was.

The folders are copies of one small synthetic study (tests/analysis/conftest.py's helpers,
no Ray, no training), each damaged in one way. `python tests/test_bad_input_studies.py` prints
the catalogue's rows.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

if __name__ == "__main__":  # run as a script: the checkout's root is not on sys.path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_bad_input import catalogue_rows, check_one_line  # noqa: E402

GWIN = [sys.executable, "-m", "gwin"]
TABLES, REPORT, PLOTS, UPGRADE = ([*GWIN, c] for c in ("tables", "report", "plots", "upgrade"))
APPLY = [*GWIN, "apply"]
APPLY_ARGS = ["--trial", "a", "--images", "TMP/images.npy", "--out", "TMP/p.csv"]

# (id, command, expected fragment of the one line, exit status); TMP is the test's folder
CASES = [
    ("index-trial-id-climbs", [*TABLES, "TMP/climb"], "lists the trial id '../../x'", 2),
    ("table-links-outside", [*TABLES, "TMP/linked"],
     "trial_outputs/a/sweeps.parquet leads to", 2),
    ("trial-folder-links-outside", [*TABLES, "TMP/linked-trial"],
     "trial_outputs/a leads to", 2),
    ("model-links-outside", [*APPLY, "TMP/model-link", *APPLY_ARGS],
     "trial_outputs/a/model/model.json leads to", 2),
    ("table-truncated", [*TABLES, "TMP/truncated"],
     "trial_outputs/a/sweeps.parquet is damaged", 2),
    ("index-lists-deleted-trial", [*TABLES, "TMP/deleted"],
     "trial_outputs/b/sweeps.parquet is missing", 2),
    ("index-not-parquet", [*TABLES, "TMP/garbage-index"], "results/trials.parquet is damaged", 2),
    ("index-empty-file", [*REPORT, "TMP/empty-index"], "results/trials.parquet is damaged", 2),
    ("index-no-rows", [*TABLES, "TMP/no-rows"], "holds no trials", 2),
    ("index-lacks-column", [*TABLES, "TMP/no-status"], "lacks the trials columns ['status']", 2),
    ("table-is-a-folder", [*TABLES, "TMP/folder-table"],
     "trial_outputs/a/sweeps.parquet is a folder", 2),
    ("table-lacks-column", [*TABLES, "TMP/no-split"],
     "trial_outputs/a/sweeps.parquet lacks the column 'split'", 2),
    ("report-truncated", [*REPORT, "TMP/truncated"], "is damaged", 2),
    ("report-out-exists", [*REPORT, "TMP/base", "--out", "TMP/file"],
     "--out TMP/file already exists; pass --overwrite", 2),
    ("report-out-is-a-folder", [*REPORT, "TMP/base", "--out", "TMP/folder"],
     "--out TMP/folder is a folder", 2),
    ("plots-out-is-a-file", [*PLOTS, "TMP/base", "--out", "TMP/file"],
     "--out TMP/file is a file; pass a folder", 2),
    ("plots-tau-above-1", [*PLOTS, "TMP/base", "--out", "TMP/figs", "--tau", "1.5"],
     "--tau must be in [0, 1], got 1.5", 2),
    ("plots-tau-not-evaluated", [*PLOTS, "TMP/base", "--out", "TMP/figs", "--tau", "0.33"],
     "tau=0.33 was not evaluated; choose one of 0.1, 0.3, 0.5", 2),
    ("upgrade-trial-truncated", [*UPGRADE, "TMP/truncated-row"],
     "trial_outputs/a/trials.parquet is damaged", 2),
    ("repair-not-a-study", [*UPGRADE, "--repair", "TMP/folder"],
     "--repair rebuilds a study's index", 2),
    ("single-trial-truncated", [*TABLES, "TMP/trial"],
     "TMP/trial/trials.parquet is damaged (Parquet magic bytes not found in footer); re-run", 2),
    ("tables-tau-above-1", [*TABLES, "TMP/base", "--per-trial", "--tau", "2"],
     "--tau must be in [0, 1], got 2", 2),
]  # fmt: skip


def _damage_table(path: Path, drop: str) -> None:
    """Rewrite the Parquet file at `path`, stamped as before, without the column `drop`."""
    table = pq.read_table(path)
    pq.write_table(table.drop_columns([drop]), path)


def _set_ids(index: Path, first: str) -> None:
    table = pq.read_table(index)
    ids = table["trial_id"].to_pylist()
    ids[0] = first
    pq.write_table(table.set_column(table.schema.get_field_index("trial_id"), "trial_id",
                                    pa.array(ids)), index)  # fmt: skip


@functools.cache
def _base() -> Path:
    """One small study (3 ok trials, 1 failed), written once per process."""
    from tests.analysis.conftest import (
        synthetic_examples,
        synthetic_predictions,
        trial_record,
        write_study,
    )

    rng = np.random.default_rng(0)
    records, preds, examples = [], [], []
    for trial_id, seed, lam in (("a", 0, 1.0), ("b", 1, 1.0), ("c", 0, 10.0)):
        records.append(trial_record(trial_id, seed=seed, lambda_loss=lam))
        preds.append(synthetic_predictions(trial_id, rng))
        examples.append(synthetic_examples(preds[-1], rng))
    records.append(trial_record("f", status="error", seed=2))
    folder = Path(tempfile.mkdtemp(prefix="gwin-bad-studies-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    write_study(folder / "study", pd.DataFrame(records), pd.concat(preds, ignore_index=True),
                pd.concat(examples, ignore_index=True))  # fmt: skip
    return folder / "study"


def make_inputs(tmp_path: Path) -> Path:
    """The study folders the cases refer to as TMP/..., each damaged in one way."""

    def study(name: str) -> Path:
        return Path(shutil.copytree(_base(), tmp_path / name))

    def trial(name: str, trial_id: str = "a") -> Path:
        return tmp_path / name / "trial_outputs" / trial_id

    study("base")
    (tmp_path / "file").write_text("a file, not a folder")
    (tmp_path / "folder").mkdir()
    np.save(tmp_path / "images.npy", np.zeros((1, 28, 28), dtype=np.float32))
    outside = tmp_path / "outside"
    shutil.copytree(_base() / "trial_outputs" / "a", outside)
    (outside / "model.json").write_text("{}")
    # a row whose trial id climbs out of the study, to a real trial folder there (TMP/x)
    study("climb")
    _set_ids(tmp_path / "climb" / "results" / "trials.parquet", "../../x")
    shutil.copytree(_base() / "trial_outputs" / "a", tmp_path / "x")
    study("linked")
    (trial("linked") / "sweeps.parquet").unlink()
    (trial("linked") / "sweeps.parquet").symlink_to(outside / "sweeps.parquet")
    study("linked-trial")
    shutil.rmtree(trial("linked-trial"))
    trial("linked-trial").symlink_to(outside, target_is_directory=True)
    study("model-link")
    (trial("model-link") / "model").mkdir()
    (trial("model-link") / "model" / "model.json").symlink_to(outside / "model.json")
    study("truncated")
    sweeps = trial("truncated") / "sweeps.parquet"
    sweeps.write_bytes(sweeps.read_bytes()[:500])
    study("truncated-row")
    row = trial("truncated-row") / "trials.parquet"
    row.write_bytes(row.read_bytes()[:500])
    study("deleted")
    shutil.rmtree(trial("deleted", "b"))
    study("garbage-index")
    (tmp_path / "garbage-index" / "results" / "trials.parquet").write_text("not parquet\n")
    study("empty-index")
    (tmp_path / "empty-index" / "results" / "trials.parquet").write_bytes(b"")
    study("no-rows")
    index = tmp_path / "no-rows" / "results" / "trials.parquet"
    pq.write_table(pq.read_table(index).slice(0, 0), index)
    study("no-status")
    _damage_table(tmp_path / "no-status" / "results" / "trials.parquet", "status")
    study("folder-table")
    (trial("folder-table") / "sweeps.parquet").unlink()
    (trial("folder-table") / "sweeps.parquet").mkdir()
    study("no-split")
    _damage_table(trial("no-split") / "sweeps.parquet", "split")
    # one trial's --out folder (gwin trial), its own row cut short
    shutil.copytree(_base() / "trial_outputs" / "a", tmp_path / "trial")
    row = tmp_path / "trial" / "trials.parquet"
    row.write_bytes(row.read_bytes()[:500])
    return tmp_path


@pytest.fixture
def tmp(tmp_path):
    return make_inputs(tmp_path)


@pytest.mark.parametrize(("command", "fragment", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_damaged_study_is_one_line_and_leaves_nothing_behind(tmp, command, fragment, status):
    check_one_line(tmp, command, fragment, status)


def _code_spans(row: str) -> str:
    """A line that holds backticks needs a double-backtick code span in markdown."""
    return re.sub(
        r"\| `(error: .*)` \| (\d+) \|$",
        lambda m: f"| `` {m[1]} `` | {m[2]} |" if "`" in m[1] else m[0],
        row,
    )


if __name__ == "__main__":
    print("\n".join(_code_spans(row) for row in catalogue_rows(CASES, make_inputs)))
