"""What the report's figures show: accuracy axes end at 100 %, the seed plots show the gain
over the identity baseline, and Figure 5 draws one box per setting and tau."""

import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch

from gwin.report import figures as gp


def _sweeps() -> pd.DataFrame:
    rows = []
    for trial, high in (("a", 100.0), ("b", 94.0)):  # sd bars reach above 100
        for tau in (0.5, 0.8):
            rows.append({"trial_id": trial, "tau": tau, "seed": 0 if trial == "a" else 1,
                         "lambda_loss": 1.0, "bnn_acc_rejected": high - 30,
                         "gwin_acc_rejected": high, "identity_acc_rejected": high - 20,
                         "pct_reject": high, "bnn_acc": high, "bnn_reject_acc": high,
                         "gwin_acc": high, "rejected_acc_delta": 30.0,
                         "gain_over_identity": 20.0})  # fmt: skip
    return pd.DataFrame(rows)


def test_accuracy_axes_end_at_100():
    fig = gp.tau_accuracy(_sweeps(), None, "t")
    tops = [ax.get_ylim()[1] for ax in fig.axes]
    assert len(tops) == 3 and max(tops) <= 100.0
    bars = gp.corruption_bars(_sweeps().assign(corruption="none"))
    assert bars.axes[0].get_ylim()[1] <= 100.0


def test_seed_plot_shows_the_gain_over_identity_and_over_the_bnn():
    fig = gp.seed_strip(_sweeps(), group="lambda_loss")
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == ["GWIN − Identity (points)", "Rejected Acc. Δ, vs BNN (points)"]
    dots = [c.get_offsets()[:, 1] for c in fig.axes[0].collections if len(c.get_offsets())]
    assert set(np.round(np.concatenate(dots), 6)) == {20.0}


def test_figure_5_draws_one_box_per_setting_and_tau():
    rng = np.random.default_rng(0)
    frames = []
    for trial in ("a", "b", "c"):
        frames.append(pd.DataFrame({"trial_id": trial, "bnn_certainty": rng.uniform(0, 1, 50),
                                    "bnn_gt_certainty": rng.uniform(0, 1, 50),
                                    "gwin_gt_certainty": rng.uniform(0, 1, 50)}))  # fmt: skip
    predictions = pd.concat(frames, ignore_index=True)
    settings = {"a": "lambda_loss = 1", "b": "lambda_loss = 1", "c": "lambda_loss = 10"}
    fig = gp.certainty_change_box(predictions, [0.5, 0.8], "t", settings)
    boxes = [p for p in fig.axes[0].patches if isinstance(p, PathPatch)]
    assert len(boxes) == 4  # 2 settings x 2 taus, never pooled over settings
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(dict.fromkeys(
        sorted(settings.values())))  # fmt: skip
    pooled = gp.certainty_change_box(predictions, [0.5, 0.8], "t")
    assert len([p for p in pooled.axes[0].patches if isinstance(p, PathPatch)]) == 2
