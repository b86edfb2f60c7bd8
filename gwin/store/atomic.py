"""Atomic file writes: write beside the target under a temporary name, then rename into place.

A reader (or a concurrent trial) sees either the old file or the whole new one, never half of
one, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq


def temp_name(path: str) -> str:
    """A hidden, unique name in the same folder as `path` (a rename stays on one filesystem)."""
    p = PurePosixPath(path)
    return str(p.with_name(f".{p.name}.{uuid.uuid4().hex[:8]}.tmp"))


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces `path` when the block succeeds.

    The file is created by the writer with the usual umask permissions (tempfile.mkstemp's
    0600 would hide shared caches and results from a lab's other users).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(temp_name(str(path)))
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_fs_path(fs: pafs.FileSystem, path: str) -> Iterator[str]:
    """`atomic_path` on any pyarrow filesystem (local, NFS, s3://, gs://).

    On object stores a move is a copy, but each object still appears whole.
    """
    fs.create_dir(str(PurePosixPath(path).parent), recursive=True)
    tmp = temp_name(path)
    try:
        yield tmp
        fs.move(tmp, path)
    except BaseException:
        if fs.get_file_info(tmp).type != pafs.FileType.NotFound:
            fs.delete_file(tmp)
        raise


def write_table(fs: pafs.FileSystem, path: str, table: pa.Table) -> None:
    """Write a Parquet file atomically on any pyarrow filesystem."""
    with atomic_fs_path(fs, path) as tmp:
        pq.write_table(table, tmp, filesystem=fs)
