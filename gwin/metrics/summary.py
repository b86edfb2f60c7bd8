"""A trial's summary tables, computed once from its per-input predictions when it is written.

Tables, the report's tables and ASHA read these instead of the predictions, so their cost grows
with the number of trials, not with the number of prediction rows (docs/schema.md, "sweeps",
"selective" and "history").
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from gwin.metrics.selective import selective_by
from gwin.metrics.sweep import sweep_by

KEYS = ("trial_id", "split", "corruption")


def trial_sweeps(predictions: pd.DataFrame, taus: Sequence[float]) -> pd.DataFrame:
    """The tau sweep of every split x corruption of one trial (`sweeps` table)."""
    return sweep_by(predictions, KEYS, taus)


def trial_selective(predictions: pd.DataFrame) -> pd.DataFrame:
    """AURC of the BNN and of BNN+GWIN for every split x corruption of one trial."""
    return selective_by(predictions, KEYS)


def history_frame(trial_id: str, history: Sequence[dict[str, float]]) -> pd.DataFrame:
    """The periodic validation reports of one trial (`history` table), one row per report."""
    frame = pd.DataFrame(list(history))
    if frame.empty:
        return pd.DataFrame({"trial_id": pd.Series(dtype=str), "iteration": pd.Series(dtype=int)})
    frame["iteration"] = frame["iteration"].astype("int64")
    frame.insert(0, "trial_id", trial_id)
    return frame
