"""Stages 2 and 3 of a trial, C and P_c: built from their stage seeds the first time, then read
from the artifact cache (gwin.cache). `run_trial` and `gwin.fidelity` (`gwin classifier`) share
them, so C's figures there are a trial's."""

from __future__ import annotations

from typing import Any

import torch

from gwin.cache import ArtifactCache, built_here, classifier_fields, confident_fields
from gwin.config import TrialConfig
from gwin.data.datasets import Split
from gwin.device import mc_chunk
from gwin.method.confident import certainties, confident_indices
from gwin.method.train_classifier import train_classifier
from gwin.method.trial_eval import stage_seed
from gwin.models.registry import build_classifier
from gwin.progress import note


def load_classifier(cfg: TrialConfig, train: Split, num_classes: int, cache: ArtifactCache):
    """(C in eval mode, cache hit): trained with the classifier seed on `train`, or loaded from
    the cache; C lives on `train`'s device, so pass the split already moved there."""
    options = cfg.classifier_options()
    device = train.x.device
    model = build_classifier(cfg.classifier, num_classes, **options).to(device)

    def fit() -> dict[str, Any]:
        torch.manual_seed(stage_seed(cfg.effective_classifier_seed, "classifier"))
        fresh = build_classifier(cfg.classifier, num_classes, **options).to(device)
        note(cfg.progress, f"training {cfg.classifier} on {cfg.dataset} ({cfg.clf_epochs} epochs)")
        history = train_classifier(
            fresh,
            train,
            epochs=cfg.clf_epochs,
            lr=cfg.clf_lr,
            batch_size=cfg.clf_batch_size,
            on_epoch=lambda e, loss: note(
                cfg.progress, f"  epoch {e + 1}: negative ELBO / N = {loss:.4f}"
            ),
        )
        state = {k: v.cpu() for k, v in fresh.state_dict().items()}
        return {"state_dict": state, "loss_history": history}

    artifact, hit = cache.get_or_create(classifier_fields(cfg, built_here(device)), fit)
    model.load_state_dict(artifact["state_dict"])
    model.eval()
    return model, hit


def load_confident_indices(cfg: TrialConfig, model, train: Split, cache: ArtifactCache):
    """(indices of P_c in the training split, cache hit): built, or loaded from the cache."""

    def build() -> dict[str, Any]:
        torch.manual_seed(stage_seed(cfg.effective_classifier_seed, "confident"))
        pool = Split(train.x[: cfg.confident_pool], train.y[: cfg.confident_pool])
        shown = None if cfg.progress else False
        pred, cert = certainties(model, pool, cfg.mc_samples, mc_chunk(train.x.device), shown)
        idx = confident_indices(pred, cert, pool.y, cfg.tau_star)
        return {"indices": idx.cpu(), "certainty": cert.cpu()}

    artifact, hit = cache.get_or_create(confident_fields(cfg, built_here(train.x.device)), build)
    return artifact["indices"].to(train.x.device), hit
