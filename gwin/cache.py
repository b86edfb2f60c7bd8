"""A content-addressed artifact cache for trained classifiers and their confident sets.

An artifact's key is a hash of exactly the config fields that determine it, so trials that differ
only in GWIN settings (lambda_Loss, GWIN seed, iterations, ...) share one classifier. Writes go to
a temporary file and are renamed into place; a per-key file lock makes a second trial that needs
the same artifact wait for the first and then load it, instead of training it again. The sidecar
`<key>.json` records what the artifact is and its SHA-256: a truncated or altered file is
detected on load, reported in one line and rebuilt, never used.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from gwin.atomic import atomic_path
from gwin.config import TrialConfig

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


def classifier_fields(cfg: TrialConfig) -> dict[str, Any]:
    """What determines a trained classifier."""
    return {
        "kind": "classifier",
        "format": CACHE_FORMAT,
        "dataset": cfg.dataset,
        "classifier": cfg.classifier,
        "seed": cfg.effective_classifier_seed,
        "epochs": cfg.clf_epochs,
        "lr": cfg.clf_lr,
        "batch_size": cfg.clf_batch_size,
        "limit_train": cfg.limit_train,
        **cfg.classifier_options(),
    }


def confident_fields(cfg: TrialConfig) -> dict[str, Any]:
    """What determines P_c: the classifier, tau* and the Monte Carlo draws."""
    return {
        "kind": "confident",
        "format": CONFIDENT_FORMAT,
        "classifier": classifier_fields(cfg),
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


def atomic_torch_save(obj: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


class ArtifactCache:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()

    def path(self, fields: dict[str, Any]) -> Path:
        return self.root / fields["kind"] / f"{cache_key(fields)}.pt"

    @contextmanager
    def _lock(self, path: Path) -> Iterator[None]:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def get_or_create(
        self, fields: dict[str, Any], create: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], bool]:
        """(artifact, hit). `create` runs at most once per key, even across processes."""
        path = self.path(fields)
        with self._lock(path):
            if path.exists():
                artifact = self._load_verified(path, fields["kind"])
                if artifact is not None:
                    return artifact, True
            artifact = create()
            atomic_torch_save(artifact, path)
            sidecar = {**fields, "sha256": sha256_of(path)}
            with atomic_path(path.with_suffix(".json")) as tmp:
                tmp.write_text(json.dumps(sidecar, indent=2, sort_keys=True))
            return artifact, False

    @staticmethod
    def _load_verified(path: Path, kind: str) -> dict[str, Any] | None:
        """The artifact, or None (after one line on stderr) if it is corrupt."""
        sidecar = path.with_suffix(".json")
        # artifacts cached before checksums were recorded are checked by loading them only
        expected = json.loads(sidecar.read_text()).get("sha256") if sidecar.exists() else None
        artifact, problem = load_checked(path, expected)
        if problem:
            print(f"[gwin] cached {kind} {path} is corrupt: {problem}; rebuilding it",
                  file=sys.stderr)  # fmt: skip
        return artifact


def load_checked(path: Path, expected_sha256: str | None) -> tuple[Any, str]:
    """(the torch file at `path`, "") or (None, why it is damaged): a SHA-256 other than the one
    recorded when it was written, or (with none recorded) a file that does not load."""
    if expected_sha256 is not None and sha256_of(path) != expected_sha256:
        return None, "its SHA-256 does not match"
    try:
        return torch.load(path, map_location="cpu", weights_only=True), ""
    except Exception as err:  # noqa: BLE001 - any load failure means a bad file
        return None, f"it does not load ({type(err).__name__})"
