"""Atomic writes: all-or-nothing, nothing left behind on failure, ordinary permissions."""

import os
import stat

import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pytest

import gwin.store.atomic
from gwin.store.atomic import atomic_path, write_table
from gwin.store.location import read_json, write_json
from gwin.store.reader import write_parquet


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_path_replaces_on_success_and_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "sub" / "report.html"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".report.html.")
        tmp.write_text("first")
        assert not target.exists()  # readers never see a partial file
    assert target.read_text() == "first"

    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer died")
    assert target.read_text() == "first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_files_get_umask_permissions_not_mkstemp_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_parquet(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
        with atomic_path(tmp_path / "x.bin") as tmp:
            tmp.write_bytes(b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "t.parquet") == 0o644
    assert _mode(tmp_path / "x.bin") == 0o644


def test_write_table_failure_leaves_no_temp_file(tmp_path, monkeypatch):
    fs = pafs.LocalFileSystem()
    write_table(fs, str(tmp_path / "t.parquet"), pa.table({"a": [1, 2]}))

    def dies_half_way(table, where, filesystem):
        with filesystem.open_output_stream(where) as out:
            out.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(gwin.store.atomic.pq, "write_table", dies_half_way)
    with pytest.raises(OSError, match="disk full"):
        write_table(fs, str(tmp_path / "t.parquet"), pa.table({"a": [3]}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]
    assert pd.read_parquet(tmp_path / "t.parquet")["a"].tolist() == [1, 2]


def test_write_json_failure_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    fs, target = pafs.LocalFileSystem(), str(tmp_path / "plan.json")
    write_json(fs, target, {"trial_ids": ["a"]})
    circular: list = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference"):
        write_json(fs, target, circular)  # fails after the temp file was opened
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
    assert read_json(fs, target) == {"trial_ids": ["a"]}
