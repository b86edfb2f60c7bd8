"""Per-input predictions of C and of C(G(x, z)): the raw material of every table and figure.

Every input gets C's verdict, the GWIN's and the identity baseline's, whatever its certainty,
so that any tau, any subset and any new metric can be computed later without re-running the
trial. The identity baseline relabels x with fresh Monte Carlo draws of C on the unchanged
input, i.e. what G = identity would give: C's label flips between draws on the inputs it is
unsure of, so even the identity "fixes" and "breaks" rejected inputs, and a GWIN's gain is only
what it adds beyond that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from gwin.method.rejection import rejected
from gwin.metrics.certainty import mc_summary
from gwin.models.classifiers import MCClassifier
from gwin.progress import bar
from gwin.store.schema import PREDICTION_COLUMNS


@torch.no_grad()
def predict(
    classifier: MCClassifier,
    generator: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor | None = None,
    *,
    samples: int,
    z_dim: int,
    batch_size: int = 1000,
    keep_images: bool = False,
    identity: bool = True,
    progress: bool | None = False,
    desc: str = "evaluation",
) -> dict[str, np.ndarray]:
    """Columns bnn_*, gwin_* and identity_* for every input (one z draw and one G pass
    per input; the identity's T draws are independent of the BNN's), and `bnn_score` [N, K],
    C's mean probabilities (for calibration; not a predictions column). With labels `y`: also
    `label` and the `*_gt_certainty` columns. `identity=False` skips the identity baseline
    (inference on new inputs, `gwin.model.GWIN.predict`): the BNN and GWIN columns then come
    from a different stretch of the random stream than in a trial's evaluation.

    One pass over `x` per verdict, the BNN's first: from the same seed, the BNN columns are
    exactly `gwin.method.confident.certainties` of the same inputs (what `python -m gwin classifier`
    reports). With `keep_images` the translations G(x, z) are returned too, as `transformed`
    [N, 28*28]. `progress`: a bar over the passes (None: on a terminal, gwin.progress).
    """
    generator.eval()
    starts = range(0, len(x), batch_size)
    labels = [None] * len(starts) if y is None else [y[i : i + batch_size] for i in starts]
    batches = [(x[i : i + batch_size], yb) for i, yb in zip(starts, labels, strict=True)]
    names = [n for n in PREDICTION_COLUMNS[4:] if identity or not n.startswith("identity_")]
    if y is None:
        names = [n for n in names if n != "label" and not n.endswith("gt_certainty")]
    out: dict[str, list[torch.Tensor]] = {k: [] for k in names}
    kept, scores = [], []

    def record(prefix: str, inputs: torch.Tensor, labels: torch.Tensor | None) -> None:
        s = mc_summary(classifier.mc_probs(inputs, samples), labels)
        if prefix == "bnn":
            scores.append(s.score)
        out[f"{prefix}_pred"].append(s.pred)
        out[f"{prefix}_certainty"].append(s.certainty)
        if s.gt_certainty is not None:  # computed when labels were given
            out[f"{prefix}_gt_certainty"].append(s.gt_certainty)

    shown = bar(len(x) * (3 if identity else 2), desc, progress)
    for xb, yb in batches:
        record("bnn", xb, yb)
        shown.update(len(xb))
        if yb is not None:
            out["label"].append(yb)
    if identity:
        for xb, yb in batches:
            record("identity", xb, yb)
            shown.update(len(xb))
    for xb, yb in batches:
        moved = generator(xb, torch.randn(len(xb), z_dim, device=xb.device))
        record("gwin", moved, yb)
        shown.update(len(xb))
        if keep_images:
            kept.append(moved.flatten(1))
    with shown:  # closes the bar
        pass
    # One host transfer per column at the end, not per batch.
    result = {k: torch.cat(v).cpu().numpy() for k, v in out.items()}
    result["bnn_score"] = torch.cat(scores).cpu().numpy()
    if kept:
        result["transformed"] = torch.cat(kept).cpu().numpy()
    return result


def predictions_frame(
    columns: dict[str, np.ndarray], *, trial_id: str, split: str, corruption: str = "none"
) -> pd.DataFrame:
    """The `predictions` table rows for one trial, split and corruption (docs/schema.md)."""
    n = len(columns["label"])
    frame = pd.DataFrame(
        {
            "trial_id": pd.Series([trial_id] * n, dtype="string"),
            "split": pd.Series([split] * n, dtype="string"),
            "corruption": pd.Series([corruption] * n, dtype="string"),
            "index": np.arange(n, dtype=np.int64),
        }
    )
    for name in PREDICTION_COLUMNS[4:]:
        values = columns[name]
        frame[name] = values.astype(np.int64 if name.endswith(("pred", "label")) else np.float32)
    return frame


def examples_frame(
    predictions: pd.DataFrame, x: torch.Tensor, transformed: np.ndarray, n: int, tau: float
) -> pd.DataFrame:
    """Figure 2's examples: the first `n` inputs (by index) that C rejects at `tau` AND would
    have labelled wrongly, as the paper's caption says, with their translations.

    Taken in index order, not by how the GWIN did on them, so the grid shows fixes and failures
    in their true proportion. Fewer than `n` such inputs give a shorter table.
    """
    chosen = predictions[
        rejected(predictions["bnn_certainty"], tau)
        & (predictions["bnn_pred"] != predictions["label"])
    ]
    chosen = chosen.sort_values("index").head(n)
    idx = chosen["index"].to_numpy().copy()
    frame = chosen.reset_index(drop=True)
    images = x[torch.as_tensor(idx, device=x.device, dtype=torch.long)].flatten(1).cpu().numpy()
    frame["image"] = list(images.astype(np.float32))
    frame["transformed"] = list(transformed[idx].astype(np.float32))
    return frame
