"""Studies on Ray Tune: a shared runner for the scripts in studies/ (see gwin.tune.runner).

Importing this package imports neither Ray nor the runner (`python -m gwin.tune.cluster_config`
stays quick); `gwin.tune.ray_session` prepares Ray's environment before Ray is first imported.
"""

from typing import Any

_EXPORTS = {
    "AxisFlag": "gwin.tune.flags",
    "study_main": "gwin.tune.runner",
    "search_main": "gwin.tune.search",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gwin.tune' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)


__all__ = ["AxisFlag", "search_main", "study_main"]
