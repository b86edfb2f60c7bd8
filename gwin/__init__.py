"""gwin: a study platform for Generative Well-intentioned Networks (Cosentino & Zhu, 2019)."""

__version__ = "0.1.0"


def load(location, trial_id=None, device="cpu"):
    """The trained GWIN of a trial or study (gwin.model.load; imported on first use)."""
    from gwin.model import load as _load

    return _load(location, trial_id, device)


def open_study(path):
    """A study's results as a gwin.study.Study (trials, summary, curves, best, load); pandas
    and the report code are imported on first use, so `import gwin` stays light."""
    from gwin.study import open_study as _open_study

    return _open_study(path)


def __getattr__(name):
    # `gwin.Study` for isinstance checks and type hints, imported only when asked for
    if name == "Study":
        from gwin.study import Study

        return Study
    raise AttributeError(f"module 'gwin' has no attribute {name!r}")
