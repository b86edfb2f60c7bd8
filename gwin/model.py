"""A trained GWIN as a file set, and the paper's Figure 1 on new inputs.

Every finished trial writes `model/` into its folder (docs/schema.md, "model/"):

    model.json       format version, the trial's config, architectures, T, tau*, the default tau,
                     gwin and torch versions, and the SHA-256 of each weights file
    classifier.pt    C's state_dict          (torch.save; loaded with weights_only=True)
    generator.pt     G's state_dict          (no critic, no optimiser state)

`load(location, trial_id=None)` checks the format and every checksum before it loads a tensor,
and returns a `GWIN`, whose `predict` runs Figure 1 through `gwin.method.evaluate.predict`, the code
path a trial's evaluation uses: C labels x with certainty c; where c < tau, G translates x and
C relabels C(G(x, z)).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from gwin.cache import sha256_bytes
from gwin.errors import GwinError
from gwin.method.rejection import REPORT_TAU, rejected
from gwin.store.schema import MODEL_DIR

MODEL_FORMAT = 1
WEIGHTS = ("classifier.pt", "generator.pt")


def _weights(module: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in module.state_dict().items()}, buffer)
    return buffer.getvalue()


def model_files(cfg, classifier, generator, num_classes: int, trial_id: str) -> dict[str, bytes]:
    """The files of `model/` for a trial (file name -> bytes), G as it is now."""
    from gwin import __version__

    files = {"classifier.pt": _weights(classifier), "generator.pt": _weights(generator)}
    meta = {
        "format": MODEL_FORMAT,
        "trial_id": trial_id,
        "gwin_version": __version__,
        "torch_version": torch.__version__,
        "num_classes": num_classes,
        "classifier": {"name": cfg.classifier, "options": cfg.classifier_options()},
        "generator": {"name": cfg.generator, "dim": cfg.dim, "z_dim": cfg.z_dim},
        "mc_samples": cfg.mc_samples,
        "tau_star": cfg.tau_star,
        "default_tau": REPORT_TAU,
        "config": cfg.result_fields(),
        "sha256": {name: sha256_bytes(data) for name, data in files.items()},
    }
    return {**files, "model.json": json.dumps(meta, indent=2, sort_keys=True).encode()}


@dataclass
class Prediction:
    """Figure 1 for a batch: C's verdict, the rejection, G's translation and the final label."""

    label: np.ndarray  # [N] C's label y'
    certainty: np.ndarray  # [N] C's certainty c (median over the T draws)
    score: np.ndarray  # [N, K] C's mean probabilities
    rejected: np.ndarray  # [N] c < tau
    gwin_label: np.ndarray  # [N] C(G(x, z))'s label (computed for every input)
    gwin_certainty: np.ndarray  # [N]
    transformed: np.ndarray  # [R, 28, 28] G(x, z) of the rejected inputs, in input order
    final_label: np.ndarray  # [N] C(G(x, z)) where rejected, else C's
    columns: dict[str, np.ndarray]  # every column gwin.method.evaluate.predict returned

    def frame(self) -> pd.DataFrame:
        """One row per input: the `predictions` columns that apply, plus rejected/final."""
        skip = {"bnn_score", "transformed"}
        cols = {k: v for k, v in self.columns.items() if k not in skip}
        return pd.DataFrame({**cols, "rejected": self.rejected, "final_pred": self.final_label})


class GWIN:
    """A trained classifier C and generator G with the trial's settings (`.config`)."""

    def __init__(self, classifier, generator, meta: dict[str, Any], device: torch.device):
        self.classifier, self.generator, self.meta = classifier, generator, meta
        self.config: dict[str, Any] = meta["config"]
        self.device = device

    def _inputs(self, x) -> torch.Tensor:
        """x as float32 [N, 1, 28, 28] on the device, checked by gwin.images (one line for
        NaN, a wrong dtype or shape; uint8 and uint16 scaled into [0, 1])."""
        from gwin.images import to_unit

        if isinstance(x, torch.Tensor):  # checked on the CPU; bfloat16 has no numpy dtype
            x = x.detach().cpu()
            x = (x.float() if x.dtype == torch.bfloat16 else x).numpy()
        return torch.from_numpy(to_unit(x, "inputs")).unsqueeze(1).to(self.device)

    def predict(
        self,
        x,
        tau: float = REPORT_TAU,
        seed: int | None = None,
        *,
        labels=None,
        identity: bool = False,
        batch_size: int | None = None,
    ) -> Prediction:
        """Figure 1 on a batch of 28x28 images in [0, 1] (tensor or numpy). `seed` fixes the
        Monte Carlo draws and z; `labels` adds the ground-truth certainties; `identity` also
        re-draws C on the unchanged x (the identity baseline), as a trial's evaluation does,
        so that seed, labels and identity together reproduce a trial's stored predictions."""
        from gwin.device import mc_chunk
        from gwin.method.evaluate import predict

        if not 0.0 <= tau <= 1.0:
            raise GwinError(f"tau must be in [0, 1], got {tau}")
        x = self._inputs(x)
        y = None if labels is None else torch.as_tensor(np.asarray(labels)).to(self.device)
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            if seed is not None:
                torch.manual_seed(seed)
            cols = predict(
                self.classifier,
                self.generator,
                x,
                y,
                samples=self.meta["mc_samples"],
                z_dim=self.meta["generator"]["z_dim"],
                batch_size=batch_size or mc_chunk(self.device),
                keep_images=True,
                identity=identity,
            )
        mask = rejected(cols["bnn_certainty"], tau)
        return Prediction(
            label=cols["bnn_pred"],
            certainty=cols["bnn_certainty"],
            score=cols["bnn_score"],
            rejected=mask,
            gwin_label=cols["gwin_pred"],
            gwin_certainty=cols["gwin_certainty"],
            transformed=cols["transformed"][mask].reshape(-1, 28, 28),
            final_label=np.where(mask, cols["gwin_pred"], cols["bnn_pred"]),
            columns=cols,
        )


def load_model_folder(folder, device: str | torch.device = "cpu") -> GWIN:
    """The GWIN in a `model/` folder (a gwin.store.location.Folder), every file checked
    (gwin.model_folder) before anything is allocated from it."""
    from gwin.model_folder import (
        MAX_JSON_BYTES,
        MAX_WEIGHTS_BYTES,
        check_meta,
        read_model_file,
        state_bytes,
    )

    where = folder.location_of("model.json")
    raw = read_model_file(folder, "model.json", MAX_JSON_BYTES)
    try:
        meta = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise GwinError(f"{where} is not valid JSON: it is damaged") from err
    meta = check_meta(meta, where, (MODEL_FORMAT,))
    with torch.device("meta"):  # sizes only: nothing allocated
        need = {name: state_bytes(net) for name, net in zip(WEIGHTS, _nets(meta), strict=True)}
    device = torch.device(device)
    state = {}
    for name in WEIGHTS:
        data = read_model_file(folder, name, MAX_WEIGHTS_BYTES)
        if sha256_bytes(data) != meta["sha256"][name]:
            raise GwinError(f"{folder.location_of(name)} does not match its SHA-256: it is damaged")
        # a file too short for the networks (crafted, checksum and all): refused unloaded
        if len(data) < need[name]:
            raise GwinError(
                f"{folder.location_of(name)} does not fit the {name.removesuffix('.pt')} "
                f"model.json describes (its weights take {need[name]} bytes, the file has "
                f"{len(data)}); the model folder is damaged: re-run the trial"
            )
        try:
            state[name] = torch.load(io.BytesIO(data), map_location=device, weights_only=True)
        except Exception as err:  # noqa: BLE001  any failure to unpickle is damage, not a bug
            raise GwinError(
                f"{folder.location_of(name)} is not a PyTorch weights file ({type(err).__name__})"
                "; the model folder is damaged: re-run the trial"
            ) from err
    classifier, generator = (net.to(device) for net in _nets(meta))
    for name, net in zip(WEIGHTS, (classifier, generator), strict=True):
        try:
            net.load_state_dict(state[name])
        except (RuntimeError, TypeError, AttributeError, KeyError) as err:  # shapes, keys, type
            first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
            raise GwinError(
                f"{folder.location_of(name)} does not fit the {name.removesuffix('.pt')} "
                f"model.json describes ({first}); the model folder is damaged: re-run the trial"
            ) from err
    classifier.eval()
    generator.eval()
    return GWIN(classifier, generator, meta, device)


def _nets(meta: dict[str, Any]) -> tuple[torch.nn.Module, torch.nn.Module]:
    """C and G as a checked model.json describes them, on the current default device."""
    from gwin.models.gwin_nets import build_generator
    from gwin.models.registry import build_classifier

    c, g = meta["classifier"], meta["generator"]
    classifier = build_classifier(c["name"], meta["num_classes"], **c["options"])
    return classifier, build_generator(g["name"], g["dim"], g["z_dim"])


def load(location: str | os.PathLike, trial_id: str | None = None, device: str = "cpu") -> GWIN:
    """The trained GWIN of a trial: `location` is a trial folder (`python -m gwin trial
    --out`), or a study folder with `trial_id` (not needed when the study has one ok trial)."""
    from gwin.store.reader import load_results

    results = load_results(location)
    ok = list(results.trials["trial_id"])
    if trial_id is None:
        if len(ok) != 1:
            raise GwinError(
                f"{results.source} holds {len(ok)} ok trials; pass the trial id "
                "(the trial_id column of its trials table)"
            )
        trial_id = ok[0]
    if trial_id not in ok:
        raise GwinError(f"{results.source} has no ok trial {trial_id!r}")
    return load_model_folder(results.where.trial(trial_id).child(MODEL_DIR), device)


__all__ = ["GWIN", "MODEL_DIR", "Prediction", "load", "load_model_folder", "model_files"]
