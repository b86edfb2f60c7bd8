"""A trial's --out: a checkpoint that a full disk (or a kill) left empty or incomplete is no
checkpoint (a rerun starts, with or without --resume, from iteration 0), and one run at a time
holds the folder (the lock file names it; the kernel frees it when the run dies)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gwin.errors import GwinError
from gwin.store.location import Folder
from gwin.store.out_lock import LOCK_FILE, one_writer, refuse_if_running, running_owner
from gwin.trial_folder import Checkpoint, start_from
from tests.test_cli_resume import write_checkpoint

ROOT = Path(__file__).resolve().parents[1]


def _leave(folder: Path, kind: str) -> None:
    """An OUT/checkpoint/ as a write that failed part way leaves it."""
    folder.mkdir(parents=True)
    if kind == "state-only":  # the state moved in, then the disk filled before the JSON
        (folder / "gwin_state.pt").write_bytes(b"\x80\x02")
        (folder / "gwin_state.pt.sha256").write_text("0" * 64)
    elif kind == "temporary":  # a temporary file the failed write did not get to delete
        (folder / ".gwin_state.pt.tmp-1234").write_bytes(b"")


@pytest.mark.parametrize("kind", ["empty", "state-only", "temporary"])
@pytest.mark.parametrize("resume", [False, True])
def test_an_incomplete_checkpoint_is_no_checkpoint(tmp_path, kind, resume, capsys):
    out = tmp_path / "out"
    _leave(out / "checkpoint", kind)
    checkpoint = Checkpoint(Folder.at(out), "abc")
    assert start_from(checkpoint, resume=resume, overwrite=False) is None  # iteration 0
    assert not (out / "checkpoint").exists()  # cleared: the run's first save starts afresh
    assert "incomplete" in capsys.readouterr().err


def test_a_complete_checkpoint_is_still_kept_without_resume(tmp_path):
    out = tmp_path / "out"
    write_checkpoint(out, "abc")
    with pytest.raises(GwinError, match="holds the checkpoint of an unfinished trial"):
        start_from(Checkpoint(Folder.at(out), "abc"), resume=False, overwrite=False)


def test_the_folder_lock_names_its_holder_and_dies_with_it(tmp_path):
    out = Folder.at(tmp_path / "out")
    assert running_owner(out) is None
    refuse_if_running(out)  # nothing runs: no error, and nothing created
    assert not (tmp_path / "out").exists()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from gwin.store.location import Folder
            from gwin.store.out_lock import one_writer
            with one_writer(Folder.at({str(tmp_path / "out")!r})):
                print("held", flush=True)
                time.sleep(600)
        """)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        owner = running_owner(out)
        assert owner is not None and owner["pid"] == holder.pid
        with pytest.raises(GwinError, match=f"pid {holder.pid} on .*since .*choose another"):
            refuse_if_running(out)
        with pytest.raises(GwinError, match=f"pid {holder.pid}"), one_writer(out):
            pass
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    assert running_owner(out) is None  # SIGKILL freed it
    with one_writer(out):
        pass
    fresh = tmp_path / "fresh"
    with one_writer(Folder.at(fresh)):
        assert (fresh / LOCK_FILE).exists()
    assert not fresh.exists()  # it made the folder and nothing was written in it
    with one_writer(Folder.at(fresh)):
        (fresh / "trials.parquet").write_bytes(b"")
    assert [p.name for p in fresh.iterdir()] == ["trials.parquet"]  # results, no lock file
