"""A single trial's --out folder (`gwin trial`): its checkpoint (`Checkpoint`) and what a run
starts from (`start_from`: iteration 0, or the checkpoint with --resume; `already_finished`: a
finished trial is left as it is). A damaged or incomplete checkpoint is never used: the trial is
deterministic, so starting over gives the same result.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import ExitStack
from typing import Any

from gwin.errors import GwinError
from gwin.store.atomic import atomic_fs_path
from gwin.store.location import Folder, exists, first_line, read_bytes, read_json
from gwin.store.trial_outputs import read_parquet

CHECKPOINT_DIR = "checkpoint"
STATE_FILE = "gwin_state.pt"  # the name a study's checkpoints use (gwin.tune.trainable)
META_FILE = "checkpoint.json"  # the trial id it belongs to, its iteration and SHA-256


class Checkpoint:
    """`--out`/checkpoint/ of a single trial: the trainer state (`gwin_state.pt` and its
    `.sha256`, as a study's checkpoints; it holds the validation history so far, so a resumed
    trial's history stays whole) plus `checkpoint.json`, which ties it to a trial id."""

    def __init__(self, out: Folder, trial_id: str) -> None:
        self.folder, self.trial_id = out.child(CHECKPOINT_DIR), trial_id

    def exists(self) -> bool:
        return exists(self.folder.fs, self.folder.root)

    def complete(self) -> bool:
        """checkpoint.json, which `save` moves in last, is there; without it the folder holds
        only what a first save cut off (a full disk, a kill) left: nothing we could resume."""
        return exists(self.folder.fs, self.folder.path(META_FILE))

    def clear(self) -> None:
        if self.exists():
            self.folder.fs.delete_dir(self.folder.root)

    def save(self, state: dict[str, Any]) -> None:
        """Replace the checkpoint: every file is written whole under a temporary name first,
        then the three are moved in back to back (state first, the JSON last), so a kill
        leaves the previous checkpoint, this one, or (within microseconds) a mix that
        `load` detects by its SHA-256."""
        import torch

        from gwin.cache import sha256_bytes

        buffer = io.BytesIO()
        torch.save(state, buffer)
        data = buffer.getvalue()
        digest = sha256_bytes(data)
        meta = {"trial_id": self.trial_id, "iteration": int(state["iteration"]), "sha256": digest}
        files = {
            META_FILE: json.dumps(meta).encode(),
            STATE_FILE + ".sha256": digest.encode(),
            STATE_FILE: data,
        }
        fs = self.folder.fs
        with ExitStack() as stack:  # exits in reverse: the state is moved in first
            for name, content in files.items():
                tmp = stack.enter_context(atomic_fs_path(fs, self.folder.path(name)))
                with fs.open_output_stream(tmp) as stream:
                    stream.write(content)

    def check_trial(self) -> None:
        """Refuse a checkpoint of another config: resuming it would mix two trials."""
        meta = self._meta()
        if meta is not None and meta.get("trial_id") != self.trial_id:
            raise GwinError(
                f"{self.folder.location} is a checkpoint of trial {meta.get('trial_id')}, not "
                f"of trial {self.trial_id} that these flags describe; pass the flags it was "
                "run with, or --overwrite to start over"
            )

    def load(self) -> dict[str, Any] | None:
        """The trainer state; None after one line on stderr if the
        checkpoint is damaged: the trial is deterministic, so starting over gives the same
        result, and a damaged state used silently would not."""
        meta = self._meta()
        if meta is None:
            state, problem = None, f"its {META_FILE} is missing or does not load"
        else:
            state, problem = self._state(str(meta.get("sha256")))
        if meta is None or state is None:
            print(f"[gwin] checkpoint {self.folder.location} is damaged: {problem}; training "
                  "from iteration 0", file=sys.stderr)  # fmt: skip
            return None
        return state

    def _meta(self) -> dict[str, Any] | None:
        try:
            meta = read_json(self.folder.fs, self.folder.path(META_FILE))
        except (OSError, ValueError):  # missing, cut off or not JSON: a damaged checkpoint
            return None
        return meta if isinstance(meta, dict) else None

    def _state(self, expected: str) -> tuple[dict[str, Any] | None, str]:
        from gwin.cache import checked_bytes

        fs = self.folder.fs
        try:
            sidecar = read_bytes(fs, self.folder.path(STATE_FILE + ".sha256")).decode().strip()
            data = read_bytes(fs, self.folder.path(STATE_FILE))
        except OSError as err:
            return None, first_line(err)
        if sidecar != expected:
            return None, "its files are from two different checkpoints"
        return checked_bytes(data, expected)


def _finished_id(out: Folder) -> str:
    return str(read_parquet(out, "trials.parquet").column("trial_id")[0])


def already_finished(out: Folder, checkpoint: Checkpoint) -> int:
    """`--resume` on a finished trial: nothing to do, unless the folder holds another one."""
    finished = _finished_id(out)
    if finished != checkpoint.trial_id:
        raise GwinError(
            f"{out.location} holds the finished trial {finished}, not trial "
            f"{checkpoint.trial_id} that these flags describe; choose another --out"
        )
    checkpoint.clear()  # left if a kill came between writing the tables and deleting it
    print(f"[gwin] {out.location} already holds this finished trial ({finished}); nothing "
          "to resume", file=sys.stderr)  # fmt: skip
    return 0


def start_from(checkpoint: Checkpoint, resume: bool, overwrite: bool) -> dict[str, Any] | None:
    """The trainer state a run of the trial starts from (None: iteration 0)."""
    if overwrite:
        checkpoint.clear()
        return None
    if checkpoint.exists() and not checkpoint.complete():  # not resumable, so not kept
        print(f"[gwin] {checkpoint.folder.location} is incomplete (a first checkpoint that "
              "was cut off); starting from iteration 0", file=sys.stderr)  # fmt: skip
        checkpoint.clear()
        return None
    if not checkpoint.exists():
        if resume:
            print(f"[gwin] no checkpoint in {checkpoint.folder.location}; starting from "
                  "iteration 0", file=sys.stderr)  # fmt: skip
        return None
    if not resume:  # hours of training may be in it: never ignored silently
        raise GwinError(
            f"{checkpoint.folder.location} holds the checkpoint of an unfinished trial; pass "
            "--resume to continue it or --overwrite to start over"
        )
    checkpoint.check_trial()
    state = checkpoint.load()
    if state is not None:
        print(f"[gwin] resuming from iteration {int(state['iteration'])} "
              f"({checkpoint.folder.location})", file=sys.stderr)  # fmt: skip
    return state
