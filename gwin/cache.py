"""A content-addressed artifact cache for trained classifiers and their confident sets.

An artifact's key is a hash of exactly the config fields that determine it, so trials that differ
only in GWIN settings (lambda_Loss, GWIN seed, iterations, ...) share one classifier. The cache's
root is a local folder or any `pyarrow.fs` URI (s3://bucket/prefix/...): a study keeps its cache
in STUDY/cache, so the trials of every node of a cluster share one copy of each classifier, and
it outlives the autoscaled node that trained it. Writes go to a temporary name and are moved
into place, so a reader sees a whole artifact or none. A lease beside the artifact
(`<key>.lease`, gwin.store.lease) makes a second trial that needs the same artifact, on any node,
wait for the first and then load it, instead of training it again; a crashed holder's lease
expires and another trial takes over. The sidecar `<key>.json` records what the artifact is and
its SHA-256: a truncated or altered file is detected on load, reported in one line and rebuilt,
never used.

With a remote root, each artifact read is also kept on the node, in the default cache folder
under the same key; it is used only while its SHA-256 is the one the remote sidecar records, so
the remote cache stays the one that counts (a node's copy never stands in for a missing one).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from gwin.config import TrialConfig
from gwin.store.lease import LeaseTimes, hold
from gwin.store.location import Folder, exists, read_bytes, write_bytes

# Bump when the meaning of a cached artifact changes (architecture, training recipe, data split).
CACHE_FORMAT = 1
# P_c's own format: 2 since its T Monte Carlo draws are independent posterior samples (format 1
# shared one Flipout perturbation between the draws of an input). Classifiers are unaffected.
CONFIDENT_FORMAT = 2


def default_cache_dir() -> Path:
    if os.environ.get("GWIN_CACHE_DIR"):
        return Path(os.environ["GWIN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gwin" / "artifacts"


def built_on(device: torch.device, threads: int, gpu_name: str = "") -> dict[str, Any]:
    """Where a classifier is trained, which decides its weights as much as its seed does: the
    order of a sum differs between 1 and 2 CPU threads and between a CPU and a GPU, and 30
    epochs carry that difference into every weight (two runs on one config gave other P_c)."""
    if device.type == "cuda":
        return {"device": "cuda", "gpu": gpu_name, "threads": threads}
    return {"device": device.type, "threads": threads}


def built_here(device: torch.device) -> dict[str, Any]:
    """`built_on` for this process: its torch threads and, on CUDA, the GPU's name."""
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else ""
    return built_on(device, torch.get_num_threads(), gpu)


def classifier_fields(cfg: TrialConfig, where: dict[str, Any]) -> dict[str, Any]:
    """What determines a trained classifier: its config and where it was built (`built_on`)."""
    return {
        "kind": "classifier",
        "format": CACHE_FORMAT,
        "built_on": where,
        "dataset": cfg.dataset,
        "classifier": cfg.classifier,
        "seed": cfg.effective_classifier_seed,
        "epochs": cfg.clf_epochs,
        "lr": cfg.clf_lr,
        "batch_size": cfg.clf_batch_size,
        "limit_train": cfg.limit_train,
        **cfg.classifier_options(),
    }


def confident_fields(cfg: TrialConfig, where: dict[str, Any]) -> dict[str, Any]:
    """What determines P_c: the classifier, tau* and the Monte Carlo draws."""
    return {
        "kind": "confident",
        "format": CONFIDENT_FORMAT,
        "classifier": classifier_fields(cfg, where),
        "tau_star": cfg.tau_star,
        "mc_samples": cfg.mc_samples,
        "pool": cfg.confident_pool,
    }


def cache_key(fields: dict[str, Any]) -> str:
    blob = json.dumps(fields, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ArtifactCache:
    """The cache at `root`: a local folder or a URI (default: `default_cache_dir()`).

    `lease_ttl_s`, `settle_s` and `poll_s` time the lease (gwin.store.lease); tests make them
    short. With a remote root and `node_copy`, artifacts read are also kept in this node's
    `default_cache_dir()`.
    """

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        *,
        lease_ttl_s: float = 60.0,
        settle_s: float = 1.0,
        poll_s: float = 2.0,
        node_copy: bool = True,
    ):
        self.folder = Folder.at(root if root is not None else default_cache_dir())
        self.location = self.folder.location
        self.times = LeaseTimes(ttl_s=lease_ttl_s, settle_s=settle_s, poll_s=poll_s)
        remote = not self.folder.local
        self.node = Folder.at(default_cache_dir()) if remote and node_copy else None

    def path(self, fields: dict[str, Any], suffix: str = ".pt") -> str:
        """The artifact's path inside `self.folder.fs` (suffix ".json": its sidecar, ".lease":
        its lease)."""
        return self.folder.path(_name(fields, suffix))

    def get_or_create(
        self, fields: dict[str, Any], create: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], bool]:
        """(artifact, hit). `create` runs once per key, even across processes and nodes (but
        for the rare double claim that gwin.store.lease describes)."""
        # Quietly first, and without the lease: a hit costs no lease, and an artifact that looks
        # damaged now may be one its builder is replacing (a real fault is reported below).
        artifact = self._load(fields, warn=False)
        if artifact is not None:
            return artifact, True
        built: list[dict[str, Any]] = []

        def done() -> bool:  # polled while another trial holds the lease
            if (found := self._load(fields, warn=False)) is not None:
                built.append(found)
            return bool(built)

        what = f"{fields['kind']} {self.folder.location_of(_name(fields, ''))}"
        lease = self.path(fields, ".lease")
        with hold(self.folder.fs, lease, until=done, what=what, times=self.times) as held:
            if not held:
                return built[-1], True
            artifact = self._load(fields, warn=True)  # built by a holder before us?
            if artifact is not None:
                return artifact, True
            artifact = create()
            buffer = io.BytesIO()
            torch.save(artifact, buffer)
            data = buffer.getvalue()
            sidecar = {**fields, "sha256": sha256_bytes(data)}
            # the artifact before its sidecar: a reader in between checks it by loading it
            write_bytes(self.folder.fs, self.path(fields), data)
            write_bytes(self.folder.fs, self.path(fields, ".json"), _json(sidecar))
            return artifact, False

    def _load(self, fields: dict[str, Any], warn: bool) -> dict[str, Any] | None:
        """The artifact, or None if it is missing or damaged (said in one line if `warn`)."""
        fs, path = self.folder.fs, self.path(fields)
        if not exists(fs, path):
            return None
        sidecar = self._sidecar(fields)
        if sidecar is None:
            artifact, problem = None, "its sidecar .json is damaged"
        elif (artifact := self._node_copy(fields, sidecar.get("sha256"))) is not None:
            return artifact
        else:
            data = read_bytes(fs, path)
            artifact, problem = checked_bytes(data, sidecar.get("sha256"))
        if problem:
            if warn:
                where = self.folder.location_of(_name(fields, ".pt"))
                print(f"[gwin] cached {fields['kind']} {where} is corrupt: {problem}; "
                      "rebuilding it", file=sys.stderr)  # fmt: skip
            return None
        if self.node is not None and sidecar is not None and sidecar.get("sha256"):
            self._keep_on_node(fields, data, sidecar)
        return artifact

    def _sidecar(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        """The artifact's sidecar; {} if it has none (cached before checksums were recorded:
        then it is checked by loading it), None if the sidecar is damaged."""
        meta = self.path(fields, ".json")
        if not exists(self.folder.fs, meta):
            return {}
        try:
            sidecar = json.loads(read_bytes(self.folder.fs, meta))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return sidecar if isinstance(sidecar, dict) else None

    def _node_copy(self, fields: dict[str, Any], expected: str | None) -> dict[str, Any] | None:
        """This node's copy of a remote artifact, if it is the one the remote sidecar names."""
        if self.node is None or expected is None:
            return None
        try:
            data = read_bytes(self.node.fs, self.node.path(_name(fields, ".pt")))
        except OSError:
            return None
        artifact, problem = checked_bytes(data, expected)
        return None if problem else artifact  # stale or damaged: the remote one is read instead

    def _keep_on_node(self, fields: dict[str, Any], data: bytes, sidecar: dict) -> None:
        assert self.node is not None
        try:
            write_bytes(self.node.fs, self.node.path(_name(fields, ".pt")), data)
            write_bytes(self.node.fs, self.node.path(_name(fields, ".json")), _json(sidecar))
        except OSError as err:  # only a copy: the remote artifact is whole and is used
            print(f"[gwin] cannot keep a copy of a cached {fields['kind']} in "
                  f"{self.node.location}: {err}", file=sys.stderr)  # fmt: skip


def _name(fields: dict[str, Any], suffix: str) -> str:
    return f"{fields['kind']}/{cache_key(fields)}{suffix}"


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode()


def checked_bytes(data: bytes, expected_sha256: str | None) -> tuple[Any, str]:
    """(the torch file in `data`, "") or (None, why it is damaged): a SHA-256 other than the one
    recorded when it was written, or (with none recorded) a file that does not load."""
    if expected_sha256 is not None and sha256_bytes(data) != expected_sha256:
        return None, "its SHA-256 does not match"
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True), ""
    except Exception as err:  # noqa: BLE001 - any load failure means a bad file
        return None, f"it does not load ({type(err).__name__})"


def load_checked(path: str | os.PathLike, expected_sha256: str | None) -> tuple[Any, str]:
    """`checked_bytes` of the local file at `path` (a trial checkpoint's state)."""
    return checked_bytes(Path(path).read_bytes(), expected_sha256)
