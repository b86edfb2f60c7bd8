"""`python -m gwin apply`: a trained GWIN on images of one's own (the paper's Figure 1).

    python -m gwin apply LOCATION [--trial ID] --images PATH [--tau 0.8] [--seed 0] --out FILE

LOCATION is what the trial or study printed (a trial's --out folder, or a study folder with
--trial). PATH is an IDX image file (MNIST's format, gzip or raw), a `.npy` array [N, 28, 28]
(uint8 0-255, uint16 0-65535 or finite floats in [0, 1]), a 28x28 grayscale PNG (8- or 16-bit)
or a folder of them (read in name order); light digits on a dark background, as MNIST. Anything
else is refused in one line that says how to convert it (gwin.images). FILE must not exist yet.
FILE gets one row per input (`.parquet` or `.csv`): `source` (the file, or the file and index),
C's label and certainty, whether it was rejected, C(G(x, z))'s label and certainty, and the
final label. The summary says how many inputs C rejected and how many labels G changed.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import numpy as np

from gwin.errors import GwinError, OneLineParser
from gwin.images import read_images
from gwin.method.rejection import REPORT_TAU

CHUNK = 10_000  # inputs per predict call: bounds memory and paces the progress line


def _check_out(out: str) -> None:
    """Refuse an --out that names no table, or a file (or anything) already there: a table of
    earlier labels is never replaced silently."""
    if Path(out).suffix not in (".parquet", ".csv"):
        raise GwinError(f"--out {out}: name a .parquet or .csv file")
    if os.path.lexists(out):
        raise GwinError(f"--out {out} already exists; pass another --out path or remove it")


def _write(frame, out: str) -> None:
    """Write the table whole under a temporary name, then link it in: the link fails if --out
    appeared meanwhile (never overwritten), and a failure leaves nothing half-written."""
    from gwin.store.atomic import temp_name

    _check_out(out)
    target = Path(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(temp_name(str(target)))
        try:
            if target.suffix == ".csv":
                frame.to_csv(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)
            try:
                os.link(tmp, target)  # atomic, and refuses an existing name
            except FileExistsError:
                raise
            except OSError as err:  # a filesystem without hard links (some FUSE and SMB)
                if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                _check_out(out)
                os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError as err:
        raise GwinError(
            f"--out {out} already exists; pass another --out path or remove it"
        ) from err
    except OSError as err:
        raise GwinError(f"cannot write --out {out}: {err.strerror or err}") from err


def apply_main(argv: list[str]) -> int:
    parser = OneLineParser(prog="gwin apply", description=__doc__.splitlines()[0])
    parser.add_argument("location", help="a trial's --out folder, or a study folder (with --trial)")
    parser.add_argument("--trial", help="the trial id in a study (its trials table's trial_id)")
    parser.add_argument("--images", required=True, help="IDX file, .npy array or folder of PNGs")
    parser.add_argument(
        "--tau", type=float, default=REPORT_TAU, help=f"rejection threshold (default {REPORT_TAU})"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws and z (default 0)")
    parser.add_argument("--out", required=True, help="predictions table, .parquet or .csv")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    args = parser.parse_args(argv)
    _check_out(args.out)  # before minutes of predictions, not after
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
