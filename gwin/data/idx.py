"""Reading and writing IDX files (the MNIST / Fashion-MNIST container format).

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
one big-endian uint32 per dimension, then the data. We only need unsigned bytes: 0x00000801 for
label vectors and 0x00000803 for image stacks. Everything is checked strictly (a truncated or
over-long file is an error, not a short dataset), because a silently clipped training set would
skew every number downstream.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from gwin.errors import GwinError

GZIP_MAGIC = b"\x1f\x8b"
# ndim -> magic number (type code 0x08 = unsigned byte); only the two layouts MNIST-style data
# uses.
MAGIC_BY_NDIM = {1: 0x00000801, 3: 0x00000803}


def read_idx_bytes(path: str | os.PathLike) -> bytes:
    """Return the (decompressed) bytes of an IDX file, gzip or raw.

    Compression is detected from the gzip magic bytes, not the file name, so a renamed or
    pre-decompressed file still reads.
    """
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise GwinError(f"cannot read IDX file {path}: {exc.strerror or exc}") from exc
    if blob[:2] != GZIP_MAGIC:
        return blob
    try:
        return gzip.decompress(blob)
    except (EOFError, OSError, zlib.error) as exc:
        raise GwinError(
            f"{path} is a damaged gzip file ({exc}); delete it and download it again"
        ) from exc


def parse_idx(data: bytes, source: str | os.PathLike = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into a read-only uint8 array; `source` names the file in errors."""
    if len(data) < 4:
        raise GwinError(f"{source} is not an IDX file: only {len(data)} bytes")
    magic = int.from_bytes(data[:4], "big")
    ndim = data[3]
    if MAGIC_BY_NDIM.get(ndim) != magic:
        raise GwinError(
            f"{source} has IDX magic number 0x{magic:08x}; expected 0x00000801 (uint8 labels)"
            " or 0x00000803 (uint8 images): is it really an MNIST-format file?"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise GwinError(f"{source} is truncated inside its IDX header ({len(data)} bytes)")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header_len + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise GwinError(
            f"{source} is {what}: header dims {list(shape)} need {expected} bytes, file has"
            f" {len(data)}; delete it and download it again"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(shape)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read a gzip or raw IDX file of uint8 labels (1-D) or images (3-D), strictly validated."""
    return parse_idx(read_idx_bytes(path), path)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write a uint8 1-D or 3-D array as IDX (gzip-compressed if the name ends in .gz).

    Exists for tests and for exporting subsets; gzip's timestamp is fixed so output is
    byte-for-byte reproducible (checksums in tests stay stable).
    """
    path = Path(path)
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim not in MAGIC_BY_NDIM:
        raise GwinError(
            f"write_idx({path}) needs a uint8 array with 1 or 3 dimensions, got"
            f" {array.dtype} with shape {array.shape}"
        )
    header = MAGIC_BY_NDIM[array.ndim].to_bytes(4, "big")
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    data = header + np.ascontiguousarray(array).tobytes()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path
