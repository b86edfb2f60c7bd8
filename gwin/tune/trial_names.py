"""One name per trial: Ray Tune's trial names and trial folders carry gwin's trial id.

gwin's id is `TrialConfig.trial_key()` (12 hex digits, the id of the trials table and of
STUDY/trial_outputs/<id>/). Tune's own names (`gwin_trainable_8c3f1_00003`) are kept out of the
console and the folders, so every line and folder of a study names a trial the same way.

The functions are module-level (Tune pickles them with the experiment, and a restored study
unpickles them) and take a Tune `Trial` whose config is resolved.
"""

from __future__ import annotations

import re
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def gwin_id(config: dict[str, Any]) -> str | None:
    """The gwin trial id of a Tune config; None if it is no valid TrialConfig."""
    from gwin.config import config_from
    from gwin.errors import GwinError

    try:
        return config_from(config).trial_key()
    except (GwinError, TypeError, KeyError, ValueError):
        return None


def trial_name(trial) -> str:
    """The trial's name in Tune's console and logs: gwin's trial id alone (Tune's own trial id
    if the config is no TrialConfig, which a valid study never has)."""
    return gwin_id(trial.config) or _safe(trial.trial_id)


def trial_dirname(trial) -> str:
    """STUDY/tune/<run>/<gwin id>_<Tune trial id>: the gwin id first; Tune's id keeps two
    trials of one config apart (a search may sample the same point twice)."""
    key = gwin_id(trial.config)
    return _safe(f"{key}_{trial.trial_id}" if key else trial.trial_id)


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)[:64]


__all__ = ["gwin_id", "trial_dirname", "trial_name"]
