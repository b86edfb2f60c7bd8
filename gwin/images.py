"""Images are input: the one place that reads image files and checks image arrays, for
`gwin apply --images` and `GWIN.predict` alike.

A GWIN takes what it was trained on: 28x28, one channel, light digits (or garments) on a dark
background as in MNIST, pixel values in [0, 1]. Accepted, and nothing else: uint8 (divided by
255), uint16 (divided by 65535: 16-bit PNGs and arrays), and floats that are finite and already
in [0, 1]; shaped [N, 28, 28], [28, 28] (one image), [N, 784] or [N, 1, 28, 28]. Everything
else is one GwinError line that says how to convert it: a label for a NaN image, a saturated
16-bit scan or half a file would be a confident wrong answer.

Files are checked before they are read: a regular file (a FIFO would block the read forever),
not empty, a .npy's header (dtype and shape) before its data is allocated.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from gwin.errors import GwinError

SIDE = 28
PIXELS = SIDE * SIDE
MAX_IMAGES = 1_000_000  # 3 GB as float32; more is a mistake or should be split into files
MAX_NPY_HEADER = 10_000  # numpy's own default limit for a header it parses safely
EXPECTED = (
    "gwin takes 28x28 grayscale images, light digits on a dark background as in MNIST "
    "(invert dark-on-light scans: 255 - pixels)"
)
DTYPES = "uint8 (0-255), uint16 (0-65535) or floats in [0, 1]"


def _scale(dtype: np.dtype, where: str) -> float | None:
    """What divides the pixels into [0, 1] (None: floats, checked as they are), or refuse."""
    if dtype.kind == "u" and dtype.itemsize in (1, 2):
        return 255.0 if dtype.itemsize == 1 else 65535.0
    if dtype.kind == "f":
        return None
    raise GwinError(
        f"{where}: pixels of type {dtype}; gwin takes {DTYPES}: convert them, e.g. "
        "x.astype(np.uint8) for 0-255 values, or x.astype(np.float32) / x.max()"
    )


def _shape(shape: tuple[int, ...], where: str) -> tuple[int, int, int]:
    """The [N, 28, 28] a shape stands for, or refuse with how to convert it."""
    n = shape[0] if shape else 0
    if shape == (SIDE, SIDE):
        target = (1, SIDE, SIDE)
    elif len(shape) == 2 and shape[1] == PIXELS:
        target = (n, SIDE, SIDE)
    elif shape[1:] in ((SIDE, SIDE), (1, SIDE, SIDE)):  # [N, 28, 28] or [N, 1, 28, 28]
        target = (n, SIDE, SIDE)
    else:
        if len(shape) >= 3 and shape[-1] in (3, 4) or len(shape) == 4 and shape[1] in (3, 4):
            hint = "convert them to grayscale, e.g. x.mean(axis=-1) (channels last)"
        elif len(shape) == 4 and shape[-1] == 1:
            hint = "drop the channel axis, x[..., 0]"
        else:
            hint = "resize them to 28x28 (PIL: Image.resize((28, 28)))"
        raise GwinError(
            f"{where}: images of shape {list(shape)}; {EXPECTED}, as an array [N, 28, 28] "
            f"(or [28, 28], [N, 784], [N, 1, 28, 28]): {hint}"
        )
    if target[0] == 0:
        raise GwinError(f"{where} holds no images")
    if target[0] > MAX_IMAGES:
        raise GwinError(f"{where} holds {target[0]} images; split it into files of at most "
                        f"{MAX_IMAGES}")  # fmt: skip
    return target


def to_unit(array: Any, where: str) -> np.ndarray:
    """`array` as float32 [N, 28, 28] in [0, 1] if it is an image array gwin takes, else one
    GwinError line that says what is wrong and how to convert it."""
    try:
        array = np.asarray(array)
    except (ValueError, TypeError) as err:  # ragged nested lists, objects without __array__
        raise GwinError(f"{where}: not an array of images ({err})") from err
    target = _shape(array.shape, where)
    scale = _scale(array.dtype, where)
    if scale is not None:
        return (array.astype(np.float32) / np.float32(scale)).reshape(target)
    # checked on the values as given: a float64 1e300 cast first would read as inf
    finite = np.isfinite(array)
    if not finite.all():
        bad = int((~finite).sum())
        raise GwinError(
            f"{where}: {bad} pixel{' is' if bad == 1 else 's are'} NaN or infinite; gwin "
            "labels only finite values in [0, 1]: replace them (np.nan_to_num(x, nan=0.0, "
            "posinf=1.0, neginf=0.0)) or drop those images"
        )
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 1:
        raise GwinError(
            f"{where}: float values outside [0, 1] (from {low:g} to {high:g}); scale them, "
            "e.g. / 255 for 0-255 values"
        )
    return array.astype(np.float32).reshape(target)


@contextmanager
def _open_regular(path: Path, where: str) -> Iterator[tuple[IO[bytes], int]]:
    """The open file and its size, if `path` is a non-empty regular file. Opened without
    blocking and checked on the open descriptor: a FIFO (or a device) is refused, not read,
    even one swapped in after a check by name."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise GwinError(f"cannot read {where}: {err.strerror}") from err
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GwinError(
                f"{where} is not a regular file (a FIFO, a device or a socket); pass an IDX, "
                ".npy or PNG file, or a folder of PNGs"
            )
        if info.st_size == 0:
            raise GwinError(f"{where} is empty (0 bytes); pass the file again, whole")
        yield file, info.st_size


def _npy(path: Path, where: str) -> np.ndarray:
    """A .npy array, its header (dtype, shape, length) checked before its data is read."""
    fmt = np.lib.format
    with _open_regular(path, where) as (file, size):
        try:
            version = fmt.read_magic(file)
            reader = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}
            if version not in reader:
                raise GwinError(f"{where}: .npy format {version}; re-save it with np.save")
            shape, fortran, dtype = reader[version](file, max_header_size=MAX_NPY_HEADER)
        except GwinError:
            raise
        except (ValueError, EOFError) as err:  # numpy's words for a short or foreign header
            if "EOF" in str(err) or size < 10:
                raise GwinError(f"{where} is truncated (its .npy header is cut off)") from err
            raise GwinError(f"{where}: not a .npy array file ({err})") from err
        _scale(dtype, where)  # refused before a byte of data is allocated
        _shape(tuple(shape), where)
        need = file.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size < need:
            raise GwinError(f"{where} is truncated: its header says {list(shape)} {dtype} "
                            f"({need} bytes), the file has {size}")  # fmt: skip
        count = int(np.prod(shape, dtype=np.int64))
        data = np.frombuffer(file.read(count * dtype.itemsize), dtype=dtype, count=count)
    return data.reshape(shape, order="F" if fortran else "C")


def _png(path: Path, where: str) -> np.ndarray:
    """One PNG as its raw pixels [28, 28] (uint8, or uint16 for 16-bit grayscale)."""
    from PIL import Image, UnidentifiedImageError

    with _open_regular(path, where) as (file, _):
        try:
            with Image.open(file) as image:
                mode, (width, height) = image.mode, image.size
                if mode not in ("L", "1", "I;16", "I;16B", "I;16L"):
                    raise GwinError(
                        f"{where}: a {mode} image ({len(image.getbands())} channels); "
                        f"{EXPECTED}: convert it to grayscale (PIL: "
                        "Image.open(f).convert('L').save(f))"
                    )
                if (width, height) != (SIDE, SIDE):
                    raise GwinError(f"{where}: image is {width}x{height}, expected 28x28 "
                                    "grayscale; resize it to 28x28")  # fmt: skip
                image.load()  # a truncated file fails here, not as a half-black image
                if mode == "1":
                    return np.asarray(image.convert("L"))  # 0 or 255
                return np.asarray(image)  # uint8 (L) or uint16 (I;16*): scaled by to_unit
        except GwinError:
            raise
        except UnidentifiedImageError as err:
            raise GwinError(f"{where}: not an image file PIL can read; expected a PNG") from err
        except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError,
                zlib.error) as err:  # fmt: skip
            # Pillow's words for a PNG cut short or with a broken chunk
            raise GwinError(f"{where} is truncated or damaged ({err}); pass the file "
                            "again, whole") from err  # fmt: skip


def read_images(path: str) -> tuple[np.ndarray, list[str]]:
    """(images [N, 28, 28] in [0, 1], a source name per image) from an IDX, .npy or PNG file,
    or a folder of PNGs (in name order)."""
    p = Path(path)
    if not p.exists():
        raise GwinError(f"--images {path}: no such file or folder")
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".png")
        if not files:
            raise GwinError(f"--images {path}: the folder holds no .png files")
        if len(files) > MAX_IMAGES:
            raise GwinError(f"--images {path} holds {len(files)} PNGs; split it into folders "
                            f"of at most {MAX_IMAGES}")  # fmt: skip
        each = [to_unit(_png(f, f"--images {f}"), f"--images {f}") for f in files]
        return np.concatenate(each), [f.name for f in files]
    where = f"--images {path}"
    if p.suffix.lower() == ".npy":
        array = _npy(p, where)
    elif p.suffix.lower() == ".png":
        array = _png(p, where)
    else:
        from gwin.data.idx import read_idx

        with _open_regular(p, where):
            pass  # a regular, non-empty file: read_idx would block on a FIFO
        try:
            array = read_idx(p)
        except (OSError, ValueError, EOFError, zlib.error) as err:
            raise GwinError(f"{where}: not an IDX, .npy or PNG input ({err})") from err
    images = to_unit(array, where)
    return images, [f"{p.name}[{i}]" for i in range(len(images))]


__all__ = ["MAX_IMAGES", "read_images", "to_unit"]
