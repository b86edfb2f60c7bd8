"""A lease: one holder at a time for a piece of work, on any storage `pyarrow.fs` understands
(local, NFS, s3://, gs://), so that trials on different nodes can share one cache.

The lease is a small JSON object beside what it guards (the cache uses `<key>.lease`) naming
its holder (a random id, host and pid) and when it expires. To acquire it a trial:

1. reads it; if there is none or it has expired, writes its own (expiring TTL seconds later),
   waits SETTLE seconds, reads it again and holds the lease only if it still names this trial
   (of several trials that wrote at once, the last write wins and the others go on waiting);
2. otherwise waits, polling every POLL seconds, until the work is done by the holder (the
   caller's `until()`, e.g. "the artifact is there") or the lease is gone or has expired, and
   then tries again. It says so in one line on stderr when it starts waiting for a holder and
   when it takes over an expired lease.

While the holder works, a background thread renews the lease every TTL/3 seconds, so however
long the work takes (hours of training) nobody takes it over; a holder that crashed stops
renewing, and TTL seconds later another trial takes over instead of waiting forever. Release
deletes the lease (only if it still names the holder).

Guarantees and limits. pyarrow has no atomic create-if-absent on object stores, so this is not
a lock in the strict sense; it relies on strong read-after-write consistency (S3 has it since
December 2020, as do GCS and local and NFS folders) and on the settle time: two trials hold the
lease at once only if one's write lands more than SETTLE seconds after it read "no lease", or if
a holder stalls (a paused VM, a storage outage) for longer than the TTL. Expiry times are wall
clock times, so the nodes' clocks must agree to well within the TTL (NTP does). For the cache
either failure costs only time: both holders build the same artifact and each write of it is
atomic, so readers still see one whole artifact.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.fs as pafs

from gwin.store.location import delete_file, exists, read_json, write_json


@dataclass(frozen=True)
class LeaseTimes:
    """How long a lease lives without renewal, how long a claim settles, how often to poll."""

    ttl_s: float = 60.0
    settle_s: float = 1.0
    poll_s: float = 2.0

    @property
    def renew_s(self) -> float:
        return self.ttl_s / 3  # two renewals may fail (a storage hiccup) before it expires


def read_lease(fs: pafs.FileSystem, path: str) -> dict | None:
    """The lease at `path`, or None if there is none (or it is not a lease: treated as gone)."""
    try:
        if not exists(fs, path):
            return None
        lease = read_json(fs, path)
    except FileNotFoundError:  # released between the two calls
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return lease if isinstance(lease, dict) else None


def _expired(lease: dict) -> bool:
    try:
        return float(lease.get("expires", 0)) <= time.time()
    except (TypeError, ValueError):
        return True


def _who(lease: dict) -> str:
    return f"pid {lease.get('pid')} on {lease.get('host')}"


@contextmanager
def hold(
    fs: pafs.FileSystem,
    path: str,
    *,
    until: Callable[[], bool],
    what: str,
    times: LeaseTimes | None = None,
) -> Iterator[bool]:
    """Yield True while holding the lease at `path` (renewed in the background), or False once
    `until()` says another holder did the work while this one waited. `what` names the work in
    the lines printed on stderr."""
    times = times or LeaseTimes()
    me = {"holder": uuid.uuid4().hex, "host": socket.gethostname(), "pid": os.getpid()}
    if not _acquire(fs, path, me, until, what, times):
        yield False
        return
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(fs, path, me, times, stop), name="gwin-lease", daemon=True
    )
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        _release(fs, path, me)


def _write(fs: pafs.FileSystem, path: str, me: dict, times: LeaseTimes) -> None:
    write_json(fs, path, {**me, "expires": time.time() + times.ttl_s})


def _acquire(
    fs: pafs.FileSystem,
    path: str,
    me: dict,
    until: Callable[[], bool],
    what: str,
    times: LeaseTimes,
) -> bool:
    waited_for = None  # the holder we said we wait for (one line per holder, not per poll)
    first = True
    while True:
        # the caller checked before asking for the lease; from then on the holder may finish
        if not first and until():
            return False
        first = False
        current = read_lease(fs, path)
        if current is None or _expired(current):
            _write(fs, path, me, times)
            time.sleep(times.settle_s)  # let a concurrent claim land: the last write wins
            after = read_lease(fs, path)
            if after is not None and after.get("holder") == me["holder"]:
                if current is not None:
                    late = time.time() - float(current.get("expires", 0))
                    print(
                        f"[gwin] taking over {what}: the lease of {_who(current)} expired "
                        f"{late:.0f} s ago",
                        file=sys.stderr,
                    )
                return True
            current = after
        if current is not None and current.get("holder") != waited_for:
            waited_for = current.get("holder")
            print(
                f"[gwin] waiting for {_who(current)}, which holds the lease on {what}",
                file=sys.stderr,
            )
        time.sleep(times.poll_s)


def _renew(
    fs: pafs.FileSystem, path: str, me: dict, times: LeaseTimes, stop: threading.Event
) -> None:
    while not stop.wait(times.renew_s):
        try:
            current = read_lease(fs, path)
            if current is not None and current.get("holder") != me["holder"]:
                # a double claim (see the module docstring): leave the lease to the other
                print(f"[gwin] lost the lease {path} to {_who(current)}", file=sys.stderr)
                return
            _write(fs, path, me, times)
        except (OSError, pa.ArrowException):
            pass  # a storage hiccup: the next renewal comes well before the lease expires


def _release(fs: pafs.FileSystem, path: str, me: dict) -> None:
    try:
        current = read_lease(fs, path)
        if current is not None and current.get("holder") == me["holder"]:
            delete_file(fs, path)
    except (OSError, pa.ArrowException):
        pass  # the work is done; a lease left behind expires by itself within the TTL


__all__ = ["LeaseTimes", "hold", "read_lease"]
