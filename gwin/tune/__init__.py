"""Studies on Ray Tune: a shared runner for the scripts in studies/ (see gwin.tune.runner).

Importing this package does not import Ray: the runner prepares Ray's environment first.
"""

from gwin.tune.flags import AxisFlag
from gwin.tune.runner import study_main
from gwin.tune.search import search_main

__all__ = ["AxisFlag", "search_main", "study_main"]
