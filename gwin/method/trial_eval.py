"""A trial's evaluations: the validation report during training, and the final evaluation and
the `trials` row's summary of it, shared by the end of a run and its snapshots (a snapshot at
iteration k is evaluated exactly as a trial with iterations = k).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import torch

from gwin.config import TrialConfig
from gwin.data.datasets import Split
from gwin.device import mc_chunk
from gwin.method.evaluate import examples_frame, predict, predictions_frame
from gwin.method.rejection import REPORT_TAU
from gwin.metrics.calibration import calibration
from gwin.metrics.names import HISTORY_COLUMNS, as_val
from gwin.metrics.paired import paired_counts
from gwin.metrics.sweep import tau_sweep
from gwin.store.trials_table import HEADLINE, PAIRED

# Corrupted test sets are the same for every trial, so trials are compared on identical inputs.
CORRUPTION_SEED = 2019


def stage_seed(seed: int, stage: str) -> int:
    """The seed of one stage of a trial, from the trial's seed and the stage's name."""
    digest = hashlib.sha256(f"{seed}:{stage}".encode()).digest()
    return int.from_bytes(digest[:8], "little") % (2**63)


def validation_report(cfg: TrialConfig, classifier, generator, x, y) -> dict[str, float]:
    """The periodic validation report (docs/design.md section 3): the history columns at
    REPORT_TAU on the validation inputs `x`, `y`, from the same seed at every report."""
    torch.manual_seed(stage_seed(cfg.seed, "validate"))
    cols = predict(
        classifier,
        generator,
        x,
        y,
        samples=cfg.mc_samples,
        z_dim=cfg.z_dim,
        batch_size=mc_chunk(x.device),
    )
    cols.pop("bnn_score")
    row = tau_sweep(pd.DataFrame(cols), [REPORT_TAU]).iloc[0]
    return {as_val(k): float(row[k]) for k in HISTORY_COLUMNS}


def evaluate_sets(
    cfg: TrialConfig, classifier, generator, val: Split, test: Split, trial_id: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(predictions, examples, summary columns) on validation, test and corrupted test sets.

    Each set draws from its own seed (`stage_seed(cfg.seed, "eval:<split>:<corruption>")`), so
    the predictions do not depend on when in a run they are computed."""
    device = test.x.device
    frames, examples, summary = [], pd.DataFrame(), {}
    sets = [("val", "none", val.x, val.y), ("test", "none", test.x, test.y)]
    if cfg.corruptions:
        from gwin.corruptions import corrupt

        sets += [("test", c, corrupt(test.x, c, CORRUPTION_SEED), test.y) for c in cfg.corruptions]
    for split, corruption, x, y in sets:
        torch.manual_seed(stage_seed(cfg.seed, f"eval:{split}:{corruption}"))
        keep = split == "test" and corruption == "none"
        cols = predict(
            classifier,
            generator,
            x,
            y,
            samples=cfg.mc_samples,
            z_dim=cfg.z_dim,
            batch_size=mc_chunk(device),
            keep_images=keep,
            progress=None if cfg.progress else False,
            desc=f"evaluation {split}/{corruption}",
        )
        frame = predictions_frame(cols, trial_id=trial_id, split=split, corruption=corruption)
        frames.append(frame)
        if corruption == "none":
            scores = calibration(
                torch.from_numpy(cols["bnn_score"]), torch.from_numpy(cols["label"])
            )
            summary.update({f"{split}_{k}": v for k, v in scores.items()})
        if keep:
            examples = examples_frame(frame, x, cols["transformed"], cfg.n_examples, REPORT_TAU)
    for split, frame in (("val", frames[0]), ("test", frames[1])):
        summary.update(headline_summary(frame, split))
    return pd.concat(frames, ignore_index=True), examples, summary


def headline_summary(frame: pd.DataFrame, split: str) -> dict[str, float]:
    """The `trials` row's quick-look numbers for one split at REPORT_TAU: accuracy deltas of the
    GWIN and of the identity baseline, and the paired counts with their exact McNemar p, for
    GWIN vs BNN, identity vs BNN and GWIN vs identity (docs/schema.md)."""
    row = tau_sweep(frame, [REPORT_TAU]).iloc[0]
    out = {f"{split}_{k}": float(row[k]) for k in HEADLINE}
    for prefix, (after, before) in PAIRED.items():
        paired = paired_counts(frame, REPORT_TAU, after=after, before=before)
        for key in ("fixed", "broken", "mcnemar_p"):
            out[f"{split}_{prefix}{key}"] = paired[key]
    return out
