"""One writer per trial folder: a second `gwin trial` into the --out of a running one is refused
in one line naming the first, instead of both running and the last to finish silently replacing
the other's results (and clearing or resuming its checkpoint under it).

As a study's driver lock (gwin.tune.driver_lock): the owner holds an exclusive `fcntl` lock on
OUT/.gwin-trial.lock, which the kernel releases however the process ends (SIGKILL and a full
disk included), so a crashed trial never leaves its folder locked. The lock file also holds
who owns it (pid, host, start) for the refusal. The run deletes it when it ends, so a finished
folder holds only results; a run that locked the file just as it was deleted sees that the path
no longer names the file it locked, and is refused as if it had found the lock held.

Object stores have no such lock: a trial whose --out is a URI runs without one (a study's
trials each have their own folder, so only two hand-started trials can collide there).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import IO

from gwin.errors import GwinError
from gwin.store.location import Folder

LOCK_FILE = ".gwin-trial.lock"


def _refusal(out: Folder, owner: dict) -> GwinError:
    try:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(owner["started"])))
    except (KeyError, TypeError, ValueError, OverflowError):
        since = "an unknown time"  # read while its owner was still writing it
    return GwinError(
        f"{out.location} is being written by another gwin trial (pid {owner.get('pid', '?')} "
        f"on {owner.get('host', '?')}, since {since}); wait for it to end or stop it, or "
        "choose another --out"
    )


def _owner(handle: IO[str]) -> dict:
    handle.seek(0)
    try:
        owner = json.loads(handle.read() or "{}")
    except ValueError:
        return {}
    return owner if isinstance(owner, dict) else {}


def held_by_another(path: str, owner: Callable[[IO[str]], dict]) -> dict | None:
    """`owner(file)` if another process holds the fcntl lock on the file at `path`, else None;
    creates nothing, takes nothing (a probe before a run's other checks, so that a refused
    run leaves the folder as it was). The trial lock and the study's driver lock share it."""
    try:
        handle = open(path)  # noqa: SIM115 - closed below
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return owner(handle)
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def running_owner(out: Folder) -> dict | None:
    """The run that holds `out` now, or None; creates nothing."""
    return held_by_another(out.path(LOCK_FILE), _owner) if out.local else None


def refuse_if_running(out: Folder) -> None:
    if (owner := running_owner(out)) is not None:
        raise _refusal(out, owner)


@contextmanager
def one_writer(out: Folder) -> Iterator[None]:
    """Hold `out` for this process while the block runs; GwinError if another run holds it
    (one that took it after `refuse_if_running` looked)."""
    if not out.local:
        yield
        return
    created = not os.path.exists(out.root)
    os.makedirs(out.root, exist_ok=True)
    with open(out.path(LOCK_FILE), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _refusal(out, _owner(handle)) from None
        if not _same_file(handle, out.path(LOCK_FILE)):  # its owner ended and deleted it
            raise _refusal(out, {"pid": "?", "host": "?"})
        # a second run that looks between the flock and this write names the owner '?'
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(me))
        handle.flush()
        try:
            yield
        finally:
            with suppress(OSError):  # the folder deleted under the run: nothing to tidy
                os.unlink(out.path(LOCK_FILE))  # still locked: a run that opened it is refused
                if created and not os.listdir(out.root):
                    # a run that failed before writing anything (bad data, a missing file)
                    # leaves no folder behind, as it did before it held one
                    os.rmdir(out.root)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _same_file(handle: IO[str], path: str) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


__all__ = ["LOCK_FILE", "one_writer", "refuse_if_running", "running_owner"]
