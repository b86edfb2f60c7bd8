"""`python -m gwin apply`: a trained GWIN on images of one's own (the paper's Figure 1).

    python -m gwin apply LOCATION [--trial ID] --images PATH [--tau 0.8] [--seed 0] --out FILE

LOCATION is what the trial or study printed (a trial's --out folder, or a study folder with
--trial). PATH is an IDX image file (MNIST's format, gzip or raw), a `.npy` array [N, 28, 28]
(uint8 0-255 or floats in [0, 1]) or a folder of 28x28 grayscale PNGs (read in name order).
FILE gets one row per input (`.parquet` or `.csv`): `source` (the file, or the file and index),
C's label and certainty, whether it was rejected, C(G(x, z))'s label and certainty, and the
final label. The summary says how many inputs C rejected and how many labels G changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from gwin.errors import GwinError, OneLineParser

CHUNK = 10_000  # inputs per predict call: bounds memory and paces the progress line


def _png(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            mode, size = image.mode, image.size
            if mode not in ("L", "1", "I;16", "I"):
                raise GwinError(
                    f"{path}: a {mode} image ({len(image.getbands())} channels); expected "
                    "28x28 grayscale (mode L)"
                )
            if size != (28, 28):
                raise GwinError(f"{path}: image is {size[0]}x{size[1]}, expected 28x28 grayscale")
            array = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    except UnidentifiedImageError as err:
        raise GwinError(f"{path}: not an image file PIL can read; expected a PNG") from err
    return array


def _scaled(array: np.ndarray, where: str) -> np.ndarray:
    if array.ndim == 2 and array.shape[1] == 28 * 28:
        array = array.reshape(-1, 28, 28)
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        raise GwinError(f"{where}: images of shape {array.shape}, expected [N, 28, 28] grayscale")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    array = array.astype(np.float32)
    if array.size and (array.min() < 0 or array.max() > 1):
        raise GwinError(f"{where}: float values outside [0, 1]; scale them (e.g. / 255)")
    return array


def read_images(path: str) -> tuple[np.ndarray, list[str]]:
    """(images [N, 28, 28] in [0, 1], a source name per image) from an IDX, .npy or PNG folder."""
    p = Path(path)
    if not p.exists():
        raise GwinError(f"--images {path}: no such file or folder")
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".png")
        if not files:
            raise GwinError(f"--images {path}: the folder holds no .png files")
        return np.stack([_png(f) for f in files]), [f.name for f in files]
    if p.suffix == ".npy":
        try:
            array = np.load(p, allow_pickle=False)
        except ValueError as err:
            raise GwinError(f"--images {path}: not a numpy array file ({err})") from err
    elif p.suffix.lower() == ".png":
        array = _png(p)[None]
    else:
        from gwin.data.idx import read_idx

        try:
            array = read_idx(p)
        except (OSError, ValueError) as err:
            raise GwinError(f"--images {path}: not an IDX, .npy or PNG input ({err})") from err
    images = _scaled(np.asarray(array), f"--images {path}")
    return images, [f"{p.name}[{i}]" for i in range(len(images))]


def _write(frame, out: str) -> None:
    from gwin.store.atomic import atomic_path

    suffix = Path(out).suffix
    if suffix not in (".parquet", ".csv"):
        raise GwinError(f"--out {out}: name a .parquet or .csv file")
    with atomic_path(out) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)


def apply_main(argv: list[str]) -> int:
    parser = OneLineParser(prog="gwin apply", description=__doc__.splitlines()[0])
    parser.add_argument("location", help="a trial's --out folder, or a study folder (with --trial)")
    parser.add_argument("--trial", help="the trial id in a study (its trials table's trial_id)")
    parser.add_argument("--images", required=True, help="IDX file, .npy array or folder of PNGs")
    parser.add_argument("--tau", type=float, default=0.8, help="rejection threshold (default 0.8)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws and z (default 0)")
    parser.add_argument("--out", required=True, help="predictions table, .parquet or .csv")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    args = parser.parse_args(argv)
    if Path(args.out).suffix not in (".parquet", ".csv"):
        raise GwinError(f"--out {args.out}: name a .parquet or .csv file")
    images, sources = read_images(args.images)

    import pandas as pd

    from gwin.model import load

    model = load(args.location, args.trial, args.device)
    frames = []
    for start in range(0, len(images), CHUNK):
        part = model.predict(images[start : start + CHUNK], args.tau, seed=args.seed + start)
        frames.append(part.frame())
        if sys.stderr.isatty():
            done = min(start + CHUNK, len(images))
            print(f"\r[gwin] {done}/{len(images)} images", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "source", sources)
    frame.insert(1, "index", np.arange(len(frame)))
    _write(frame, args.out)
    rejected = int(frame["rejected"].sum())
    changed = int((frame["final_pred"] != frame["bnn_pred"]).sum())
    print(
        f"{len(frame)} images: C rejected {rejected} at tau = {args.tau:g}; G changed the label "
        f"of {changed} of them; predictions: {Path(args.out).resolve()}"
    )
    return 0
