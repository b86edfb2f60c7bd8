"""A model folder is input: the one place that reads `model/` files and checks `model.json`,
before gwin.model builds anything from them.

A model folder may be damaged (a file cut short, a hand-edited model.json) or hostile (a
dimension of 200,000 that asks for 40 GB, a FIFO or a link to /dev/zero that blocks a read
forever). So, in this order, each failure one GwinError line that names the file:

- every file is a regular file in the folder itself (no symbolic link; opened without following
  one and without blocking), not empty, and under a size cap, checked before it is read;
- model.json matches `check_meta`'s schema: types, the known names, integers within caps that
  bound what the networks can allocate;
- the weights hold at least the bytes of the networks model.json describes (counted on
  PyTorch's meta device, which allocates nothing), match their SHA-256, and fit the networks.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
from typing import Any

from gwin.errors import GwinError
from gwin.names import CLASSIFIERS, GENERATORS
from gwin.store.location import Folder, read_bytes

MAX_JSON_BYTES = 1 << 20  # a model.json is about 2 kB
MAX_WEIGHTS_BYTES = 512 << 20  # the largest allowed networks (dim 512) take about 400 MB
# the caps of the integers that size the networks: each well above any trial's (the paper's:
# dim 64, z_dim 128, T = 10, K = 5) and low enough that what they build fits in memory
CAPS = {"num_classes": (2, 1000), "mc_samples": (1, 10_000), "dim": (1, 512),
        "z_dim": (1, 4096), "members": (1, 100)}  # fmt: skip
# the constructor options each classifier may take (TrialConfig.classifier_options)
OPTIONS = {"lenet5_dropout": {"p"}, "lenet5_ensemble": {"members"}}
SHA256 = re.compile(r"[0-9a-f]{64}")
DAMAGED = "the model folder is damaged: re-run the trial, or copy its model/ folder again"


def read_model_file(folder: Folder, name: str, cap: int) -> bytes:
    """The bytes of `folder`/`name`, if it is a regular file of 1 to `cap` bytes there."""
    where = folder.location_of(name)
    if not folder.local:  # object stores have no links or FIFOs: type and size by name
        import pyarrow.fs as pafs

        info = folder.fs.get_file_info(folder.path(name))
        if info.type == pafs.FileType.NotFound:
            raise _missing(folder, name)
        if info.type != pafs.FileType.File:
            raise GwinError(f"{where} is not a file; {DAMAGED}")
        _check_size(info.size or 0, cap, where)
        return read_bytes(folder.fs, folder.path(name))
    # `name` is one of gwin's fixed names (no "/"): without a link it is inside the folder.
    # O_NOFOLLOW refuses a link, O_NONBLOCK keeps a FIFO's open from waiting for a writer;
    # the type and size come from the open descriptor, so nothing swapped in after a check
    # by name is read.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(folder.path(name), flags)
    except FileNotFoundError as err:
        raise _missing(folder, name) from err
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise GwinError(
                f"{where} is a symbolic link; a model folder holds its own files: copy the "
                "file in instead of linking it"
            ) from err
        raise GwinError(f"cannot read {where}: {err.strerror}") from err
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GwinError(f"{where} is not a regular file (a FIFO, a device or a socket); "
                            f"{DAMAGED}")  # fmt: skip
        _check_size(info.st_size, cap, where)
        return file.read(cap + 1)  # a file that grows meanwhile fails its SHA-256 check


def _check_size(size: int, cap: int, where: str) -> None:
    if size == 0:
        raise GwinError(f"{where} is empty (0 bytes); {DAMAGED}")
    if size > cap:
        kind = "model.json" if where.endswith(".json") else "weights"
        raise GwinError(f"{where} is {size} bytes; a gwin model's {kind} file is at most {cap} "
                        f"bytes: this is not one, or {DAMAGED}")  # fmt: skip


def _missing(folder: Folder, name: str) -> GwinError:
    return GwinError(
        f"{folder.location_of(name)} is missing; this is not a complete gwin model folder "
        "(trials written before gwin saved models have none: re-run the trial)"
    )


class _Checker:
    """Field checks that name the field by its path (generator.dim) in one line."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, what: str, value: Any) -> GwinError:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return GwinError(f"{self.where}: {path} must be {what}, got {shown}; {DAMAGED}")

    def get(self, table: dict[str, Any], key: str, path: str) -> Any:
        if key not in table:
            raise GwinError(f"{self.where} lacks {path!r}; {DAMAGED}")
        return table[key]

    def table(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "an object", value)
        return value

    def integer(self, value: Any, path: str, cap: str) -> int:
        low, high = CAPS[cap]
        # bool is an int to Python, never to model.json
        if not (type(value) is int and low <= value <= high):
            raise self.fail(path, f"an integer in [{low}, {high}]", value)
        return value

    def unit(self, value: Any, path: str, open_ends: bool = False) -> float:
        ok = type(value) in (int, float) and math.isfinite(value)
        ok = ok and (0 < value < 1 if open_ends else 0 <= value <= 1)
        if not ok:
            raise self.fail(path, "a number in (0, 1)" if open_ends else "a number in [0, 1]",
                            value)  # fmt: skip
        return float(value)

    def name(self, value: Any, path: str, names: tuple[str, ...]) -> str:
        if value not in names or not isinstance(value, str):
            raise self.fail(path, f"one of {', '.join(names)}", value)
        return value


def check_meta(meta: Any, where: str, formats: tuple[int, ...]) -> dict[str, Any]:
    """`meta` (model.json, parsed) if it matches the model format's schema; else one line
    naming the field. Nothing is built before this passes."""
    if not isinstance(meta, dict) or meta.get("format") not in formats:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise GwinError(
            f"{where} holds model format {found!r}, this gwin reads "
            f"{', '.join(map(str, formats))}; use the gwin version that wrote it, or re-run the "
            "trial"
        )
    c = _Checker(where)
    c.integer(c.get(meta, "num_classes", "num_classes"), "num_classes", "num_classes")
    c.integer(c.get(meta, "mc_samples", "mc_samples"), "mc_samples", "mc_samples")
    c.table(c.get(meta, "config", "config"), "config")
    clf = c.table(c.get(meta, "classifier", "classifier"), "classifier")
    name = c.name(c.get(clf, "name", "classifier.name"), "classifier.name", CLASSIFIERS)
    options = c.table(c.get(clf, "options", "classifier.options"), "classifier.options")
    allowed = OPTIONS.get(name, set())
    if set(options) - allowed:
        raise c.fail("classifier.options", f"options of {name} ({sorted(allowed)})", options)
    if "p" in options:
        c.unit(options["p"], "classifier.options.p", open_ends=True)
    if "members" in options:
        c.integer(options["members"], "classifier.options.members", "members")
    gen = c.table(c.get(meta, "generator", "generator"), "generator")
    c.name(c.get(gen, "name", "generator.name"), "generator.name", GENERATORS)
    c.integer(c.get(gen, "dim", "generator.dim"), "generator.dim", "dim")
    c.integer(c.get(gen, "z_dim", "generator.z_dim"), "generator.z_dim", "z_dim")
    sums = c.table(c.get(meta, "sha256", "sha256"), "sha256")
    for weights in ("classifier.pt", "generator.pt"):
        value = c.get(sums, weights, f"sha256.{weights}")
        if not (isinstance(value, str) and SHA256.fullmatch(value)):
            raise c.fail(f"sha256.{weights}", "a SHA-256 (64 hex digits)", value)
    for key in ("tau_star", "default_tau"):  # informative: checked where present
        if key in meta:
            c.unit(meta[key], key)
    for key in ("trial_id", "gwin_version", "torch_version"):
        if key in meta and not isinstance(meta[key], str):
            raise c.fail(key, "a string", meta[key])
    return meta


def state_bytes(module: Any) -> int:
    """The bytes of a module's state_dict (on the meta device: counted, not allocated)."""
    return sum(t.numel() * t.element_size() for t in module.state_dict().values())


__all__ = ["CAPS", "MAX_JSON_BYTES", "MAX_WEIGHTS_BYTES", "check_meta", "read_model_file",
           "state_bytes"]  # fmt: skip
