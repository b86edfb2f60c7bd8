"""One driver per study: a second `studies/*.py` (or a `--resume`) on a study that a running
driver owns is refused in one line instead of two drivers writing one study.

On a local or NFS folder the owner holds an exclusive `fcntl` lock on STUDY/.driver.lock; the
kernel releases it when the driver dies in any way (SIGKILL included), so a crashed study never
stays locked. Object stores have no locks: there the owner keeps a lease, STUDY/.driver.json,
whose heartbeat it renews every LEASE_RENEW_S seconds; a lease older than LEASE_EXPIRES_S is
dead (its driver was killed) and may be taken over, at once when that driver ran on this machine
and its pid is gone. Both files name the owner (host, pid, start).

A driver killed with SIGKILL cannot stop the Ray it started, and some of Ray's processes outlive
it (its dashboard and runtime-env agents, for about a minute). The owner file lists the
processes the driver started (pid and start time, from /proc); the next driver of the study on
this machine stops exactly those that still run, and says so.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from gwin.errors import GwinError
from gwin.store.location import Folder, delete_file, read_json, write_json
from gwin.store.out_lock import held_by_another

LOCK_FILE, LEASE_FILE = ".driver.lock", ".driver.json"
LEASE_RENEW_S, LEASE_EXPIRES_S = 20.0, 90.0


def _me() -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}


def refusal(study: Folder, owner: dict) -> GwinError:
    """The one line that refuses a second driver of `study`."""
    return _refuse(study, owner, expires=not study.local)


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


class DriverLease:
    """What the owner file says about this driver; `record` adds to it (e.g. Ray's processes)."""

    def __init__(self, study: Folder):
        self.study, self.owner = study, _me()
        self.lock = threading.Lock()

    def write(self, **extra: object) -> None:
        with self.lock:
            write_json(self.study.fs, self.study.path(LEASE_FILE), {**self.owner, **extra})

    def record(self, **info: object) -> None:
        self.owner.update(info)
        self.write(heartbeat=time.time())


@contextmanager
def exclusive_driver(study: Folder) -> Iterator[DriverLease]:
    """Hold the study for this driver for the duration of the block."""
    if study.local:
        with _locked(study) as lease:
            yield lease
    else:
        with _leased(study) as lease:
            yield lease


def running_owner(study: Folder) -> dict | None:
    """The driver that holds the study now, or None; creates nothing (a check before taking
    the study, so that a refused start leaves the folder as it was)."""
    if study.local:
        return held_by_another(study.path(LOCK_FILE), lambda _: _previous_owner(study))
    owner = _previous_owner(study)
    fresh = time.time() - float(owner.get("heartbeat", 0)) < LEASE_EXPIRES_S
    return owner if owner and fresh and not _dead_here(owner) else None


def processes_started_here() -> list[list[int]]:
    """[pid, start time] of every live descendant of this process (empty without /proc)."""
    parent, start = {}, {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            parent[int(entry)], start[int(entry)] = stat
    found: set[int] = set()
    frontier = {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parent.items() if ppid in frontier} - found
        found |= frontier
    return sorted([pid, start[pid]] for pid in found)


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live process; None once it is gone or a zombie."""
    try:
        text = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else (int(fields[1]), int(fields[19]))


def _stop_left_over(study: Folder, previous: dict) -> None:
    """Stop the processes a dead driver of this study started on this machine, if any run."""
    if not _dead_here(previous):
        return
    stopped = []
    for pid, started in previous.get("ray_processes", []):
        if (stat := _stat(pid)) is not None and stat[1] == started:  # not a reused pid
            try:
                os.kill(pid, signal.SIGKILL)
                stopped.append(pid)
            except ProcessLookupError:
                pass
    if stopped:
        print(
            f"note: stopped {len(stopped)} Ray processes left running by this study's killed "
            f"driver (pid {previous.get('pid')}): {', '.join(map(str, stopped))}",
            file=sys.stderr,
        )


def _previous_owner(study: Folder) -> dict:
    return read_json(study.fs, study.path(LEASE_FILE)) if study.exists(LEASE_FILE) else {}


@contextmanager
def _locked(study: Folder) -> Iterator[DriverLease]:
    os.makedirs(study.root, exist_ok=True)
    with open(study.path(LOCK_FILE), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _refuse(study, _previous_owner(study)) from None
        _stop_left_over(study, _previous_owner(study))  # we hold the lock: its owner is dead
        lease = DriverLease(study)
        lease.write()
        try:
            yield lease
        finally:
            delete_file(study.fs, study.path(LEASE_FILE))
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _leased(study: Folder) -> Iterator[DriverLease]:
    previous = _previous_owner(study)
    if previous:
        fresh = time.time() - float(previous.get("heartbeat", 0)) < LEASE_EXPIRES_S
        if fresh and not _dead_here(previous):
            raise _refuse(study, previous, expires=True)
        _stop_left_over(study, previous)
    lease = DriverLease(study)
    lease.write(heartbeat=time.time())
    time.sleep(1.0)  # two drivers that started together: the last write wins, the other leaves
    current = _previous_owner(study)
    if {k: current.get(k) for k in ("host", "pid", "started")} != {
        k: lease.owner[k] for k in ("host", "pid", "started")
    }:
        raise _refuse(study, current, expires=True)
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LEASE_RENEW_S):
            lease.write(heartbeat=time.time())

    renewer = threading.Thread(target=renew, name="gwin-driver-lease", daemon=True)
    renewer.start()
    try:
        yield lease
    finally:
        done.set()
        renewer.join()
        delete_file(study.fs, study.path(LEASE_FILE))


__all__ = [
    "DriverLease",
    "exclusive_driver",
    "processes_started_here",
    "refusal",
    "running_owner",
]
