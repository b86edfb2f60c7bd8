"""The Ray auth token of a study's local Ray, readable by its owner alone.

With token auth on and no token set, `ray.init()` (Ray 2.60) writes a new ~/.ray/auth_token
with the umask's mode, usually 0644: every user of the machine could read it and then run code
in the study's Ray (the token is the only thing that keeps them out of it, loopback or not).
The driver writes the token first, readable by its owner only, and Ray then uses that one.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from gwin.errors import GwinError


def token_path() -> Path:
    return Path.home() / ".ray" / "auth_token"  # where Ray looks when nothing else is set


def private_token() -> None:
    """Make sure the token Ray will use is mode 0600: create it so (atomically, the mode set
    before any of it is written) or tighten an existing one. A token given by RAY_AUTH_TOKEN or
    RAY_AUTH_TOKEN_PATH is the user's own choice and left alone."""
    if os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH"):
        return
    path = token_path()
    try:
        _private(path)
    except OSError as err:
        raise GwinError(
            f"cannot create Ray's auth token {path} ({err.strerror or err}); make {path.parent} "
            "writable, or set RAY_AUTH_TOKEN_PATH to a token file of yours"
        ) from err


def _private(path: Path) -> None:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
            print(
                f"note: {path} was readable by others (mode {mode:o}); it is now 0600, as "
                "it lets whoever reads it run code in your Ray",
                file=sys.stderr,
            )
        return
    # created under a private name with its final mode, then linked into place: a reader
    # never sees it partly written, and two drivers that start together keep one token
    tmp = path.with_name(f".auth_token.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))  # 256 bits, as Ray's own generator
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another driver made it first: use that one
    finally:
        tmp.unlink()
