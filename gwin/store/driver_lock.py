"""One driver per study: a second `studies/*.py` (or a `--resume`) on a study that a running
driver owns is refused in one line instead of two drivers writing one study.

On a local or NFS folder the owner holds an exclusive `fcntl` lock on STUDY/.driver.lock; the
kernel releases it when the driver dies in any way (SIGKILL included), so a crashed study never
stays locked. Object stores have no locks: there the owner keeps a lease, STUDY/.driver.json,
whose heartbeat it renews every LEASE_RENEW_S seconds; a lease older than LEASE_EXPIRES_S is
dead (its driver was killed) and may be taken over, at once when that driver ran on this machine
and its pid is gone. Both files name the owner (host, pid, start).
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from gwin.errors import GwinError
from gwin.store.location import Folder, delete_file, exists, read_json, write_json

LOCK_FILE, LEASE_FILE = ".driver.lock", ".driver.json"
LEASE_RENEW_S, LEASE_EXPIRES_S = 20.0, 90.0


def _me() -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}


def _refuse(study: Folder, owner: dict, expires: bool = False) -> GwinError:
    since = time.strftime("%H:%M:%S", time.localtime(float(owner.get("started", 0))))
    dead = f" (if it died, its lease expires within {LEASE_EXPIRES_S:.0f} s)" if expires else ""
    return GwinError(
        f"study {study.location} is being run by another driver (pid {owner.get('pid')} on "
        f"{owner.get('host')}, since {since}); wait for it to end or stop it{dead}, then --resume"
    )


def _dead_here(owner: dict) -> bool:
    """The lease's driver ran on this machine and is gone: no need to wait for the lease."""
    if owner.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(owner.get("pid", 0)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


@contextmanager
def exclusive_driver(study: Folder) -> Iterator[None]:
    """Hold the study for this driver for the duration of the block."""
    if study.local:
        with _locked(study):
            yield
    else:
        with _leased(study):
            yield


@contextmanager
def _locked(study: Folder) -> Iterator[None]:
    os.makedirs(study.root, exist_ok=True)
    with open(study.path(LOCK_FILE), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = read_json(study.fs, study.path(LEASE_FILE)) if study.exists(LEASE_FILE) else {}
            raise _refuse(study, owner) from None
        write_json(study.fs, study.path(LEASE_FILE), _me())
        try:
            yield
        finally:
            delete_file(study.fs, study.path(LEASE_FILE))
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _leased(study: Folder) -> Iterator[None]:
    path = study.path(LEASE_FILE)
    me = _me()
    if exists(study.fs, path):
        owner = read_json(study.fs, path)
        fresh = time.time() - float(owner.get("heartbeat", 0)) < LEASE_EXPIRES_S
        if fresh and not _dead_here(owner):
            raise _refuse(study, owner, expires=True)
    write_json(study.fs, path, {**me, "heartbeat": time.time()})
    time.sleep(1.0)  # two drivers that started together: the last write wins, the other leaves
    if {k: read_json(study.fs, path).get(k) for k in me} != me:
        raise _refuse(study, read_json(study.fs, path))
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LEASE_RENEW_S):
            write_json(study.fs, path, {**me, "heartbeat": time.time()})

    renewer = threading.Thread(target=renew, name="gwin-driver-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
        delete_file(study.fs, path)


__all__ = ["exclusive_driver"]
