"""The classifier alone, measured against the paper: Table 2's classifier-only columns.

For one trained classifier C (cached, as in a trial) this gives what the paper reports about C
before any GWIN: test accuracy with no rejection, |P_c| at tau*, and per tau the % of test
inputs rejected and C's accuracy on them, beside the paper's numbers (gwin.paper).
`python -m gwin classifier ...` prints it; docs/fidelity.md records the figures.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import torch

from gwin.cache import ArtifactCache
from gwin.config import TrialConfig
from gwin.data.datasets import load_dataset
from gwin.method.confident import certainties
from gwin.metrics.sweep import tau_sweep
from gwin.paper import BASE_ACCURACY, MEAN_CONFIDENT, has_reference, paper_reference

PAPER_TAUS = (0.50, 0.70, 0.80, 0.90, 0.95, 0.99)


@dataclass
class ClassifierFigures:
    test_accuracy: float  # %, no rejection
    n_confident: int  # |P_c| at tau*, from the configured pool
    sweep: pd.DataFrame  # tau, pct_reject, bnn_acc_rejected
    cache_hit: bool
    seconds: float


def rejection_sweep(
    pred: torch.Tensor, certainty: torch.Tensor, label: torch.Tensor, taus: Sequence[float]
) -> pd.DataFrame:
    """% of inputs with certainty < tau, and C's accuracy (%) on them, per tau (the BNN columns
    of `gwin.metrics.sweep.tau_sweep`)."""
    predictions = pd.DataFrame(
        {
            "label": label.cpu().numpy(),
            "bnn_pred": pred.cpu().numpy(),
            "bnn_certainty": certainty.cpu().numpy(),
        }
    )
    return tau_sweep(predictions, taus)[["tau", "pct_reject", "bnn_acc_rejected"]]


def measure_classifier(cfg: TrialConfig, taus: Sequence[float] = PAPER_TAUS) -> ClassifierFigures:
    """Train (or load) C and P_c exactly as a trial does, then evaluate C on the test split."""
    from gwin.cached_stages import load_classifier, load_confident_indices
    from gwin.device import mc_chunk, resolve_device
    from gwin.method.trial_eval import stage_seed

    started = time.perf_counter()
    device = resolve_device(cfg.device)
    cache = ArtifactCache(cfg.cache_dir)
    data = load_dataset(cfg.dataset, cfg.data_dir, limit_train=cfg.limit_train)
    train, test = data.train.to(device), data.test.to(device)
    classifier, hit = load_classifier(cfg, train, data.num_classes, cache)
    indices, _ = load_confident_indices(cfg, classifier, train, cache)
    # The same seed a trial's test evaluation uses, so these are the trial's BNN columns.
    torch.manual_seed(stage_seed(cfg.seed, "eval:test:none"))
    pred, certainty = certainties(classifier, test, cfg.mc_samples, mc_chunk(device))
    accuracy = 100.0 * float((pred == test.y).float().mean())
    return ClassifierFigures(
        accuracy,
        len(indices),
        rejection_sweep(pred, certainty, test.y, taus),
        hit,
        time.perf_counter() - started,
    )


def versus_paper(figures: ClassifierFigures, dataset: str) -> pd.DataFrame:
    """Ours beside the paper, one row per figure (accuracy, |P_c|, then per tau)."""
    rows = [
        ("test accuracy (%)", figures.test_accuracy, BASE_ACCURACY.get(dataset)),
        ("|P_c|", float(figures.n_confident), MEAN_CONFIDENT.get(dataset)),
    ]
    paper = paper_reference(dataset).set_index("tau") if has_reference(dataset) else None
    for _, row in figures.sweep.iterrows():
        tau = row["tau"]
        for metric, name in (("pct_reject", "% Reject"), ("bnn_acc_rejected", "BNN Acc.")):
            theirs = None
            if paper is not None and tau in paper.index:
                theirs = float(paper.loc[tau, f"{metric}_mean"])
            rows.append((f"{name} at tau {tau:.2f}", float(row[metric]), theirs))
    frame = pd.DataFrame(rows, columns=["figure", "ours", "paper"])
    frame["ours - paper"] = frame["ours"] - frame["paper"]
    return frame
