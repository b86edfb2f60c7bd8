"""gwin: a study platform for Generative Well-intentioned Networks (Cosentino & Zhu, 2019)."""

__version__ = "0.1.0"


def load(location, trial_id=None, device="cpu"):
    """The trained GWIN of a trial or study (gwin.model.load; imported on first use)."""
    from gwin.model import load as _load

    return _load(location, trial_id, device)
