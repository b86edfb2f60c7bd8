"""Checksum-verified downloads with mirror fallback (standard library only).

A download streams into a temporary file beside `dest`, is hashed on the way, and only a file
whose SHA-256 matches is moved into place with `os.replace`. So `dest` is either absent or
complete and correct, even when several trials download the same file at once or a run is
killed mid-transfer; temporary files are removed on every failure path.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path

from gwin.errors import GwinError

log = logging.getLogger(__name__)

MIRRORS_ENV = "GWIN_MIRRORS"
_CHUNK = 1 << 20
# 4xx answers other than these say "this mirror does not have it": retrying cannot help.
_RETRYABLE_4XX = {408, 425, 429}
_FIX = "or put the four IDX files in a folder and pass --data-dir (or set GWIN_DATA_DIR)"


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: str | os.PathLike, sha256: str) -> Path:
    """Raise a one-line GwinError unless the file's SHA-256 is `sha256`; return the path."""
    path = Path(path)
    actual = sha256_file(path)
    if actual != sha256.lower():
        raise GwinError(
            f"{path} is corrupt or incomplete: sha256 {actual}, expected {sha256.lower()};"
            f" delete it so it is downloaded again, {_FIX}"
        )
    return path


def mirror_bases(default: Sequence[str]) -> tuple[str, ...]:
    """Base URLs to try: $GWIN_MIRRORS (comma-separated) if set, else `default`."""
    env = os.environ.get(MIRRORS_ENV, "")
    bases = tuple(b.strip() for b in env.split(",") if b.strip())
    return bases or tuple(default)


def mirror_urls(filename: str, bases: Iterable[str]) -> list[str]:
    """The URL of `filename` under each base URL, in order."""
    return [base.rstrip("/") + "/" + filename for base in bases]


def _fetch(url: str, dest: Path, expected: str, timeout: float) -> str:
    """Stream `url` to a temp file beside `dest`; move it into place iff its hash matches.

    Returns the actual SHA-256. Network errors propagate (the caller decides on retries).
    """
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            while chunk := resp.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
        # http.client returns a short body without complaint when the connection drops;
        # treat that as a (retryable) network error rather than as a bad mirror.
        if length is not None and length.isdigit() and received != int(length):
            raise ConnectionError(f"connection closed after {received} of {length} bytes")
        actual = digest.hexdigest()
        if actual == expected:
            os.replace(tmp, dest)
        return actual
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def download(
    url_list: Iterable[str],
    dest: str | os.PathLike,
    sha256: str,
    *,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
) -> Path:
    """Download the first mirror copy of a file whose SHA-256 is `sha256` to `dest`.

    Mirrors are tried in order; each gets up to `retries` attempts on network errors, waiting
    `backoff * 2**k` seconds between them. A mirror that answers 404 (or another final 4xx)
    or serves content with the wrong checksum is abandoned at once. Raises GwinError naming
    the file, and for a checksum mismatch the expected and actual hashes, if no mirror works.
    """
    dest = Path(dest)
    urls = list(url_list)
    expected = sha256.lower()
    if not urls:
        raise GwinError(f"no download URL for {dest.name}; set {MIRRORS_ENV}, {_FIX}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    mismatch: tuple[str, str] | None = None
    for url in urls:
        for attempt in range(max(1, retries)):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            log.info("downloading %s (attempt %d)", url, attempt + 1)
            try:
                actual = _fetch(url, dest, expected, timeout)
            except urllib.error.HTTPError as exc:
                failures.append(f"{url}: HTTP {exc.code}")
                if 400 <= exc.code < 500 and exc.code not in _RETRYABLE_4XX:
                    break
                continue
            except ValueError as exc:  # malformed URL or unknown scheme: retrying is pointless
                failures.append(f"{url}: {exc}")
                break
            except (OSError, http.client.HTTPException) as exc:
                reason = getattr(exc, "reason", None) or exc
                failures.append(f"{url}: {reason}")
                continue
            if actual == expected:
                return dest
            mismatch = (url, actual)
            failures.append(f"{url}: checksum mismatch")
            break
    if mismatch is not None:
        url, actual = mismatch
        raise GwinError(
            f"checksum mismatch for {dest.name} from {url}: expected sha256 {expected}, got"
            f" {actual}; nothing was saved to {dest}; retry, set {MIRRORS_ENV} to another"
            f" mirror, {_FIX}"
        )
    raise GwinError(
        f"could not download {dest.name} from {len(urls)} mirror(s) (last error:"
        f" {failures[-1]}); check the network or set {MIRRORS_ENV}, {_FIX}"
    )
