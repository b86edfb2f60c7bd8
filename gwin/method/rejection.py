"""The rejection rule r(c, y') -> {reject, y'} (paper Section 4.2) and the thresholds reported.

Every place that decides which inputs C rejects goes through `rejected` (the metrics, P_c, the
Figure 2 examples), so a different certainty-based rule is a change here only. This module
needs no torch: it works on tensors, numpy arrays and pandas columns alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gwin.errors import GwinError

# The paper's inference thresholds, all eight of its Section 5 (its Tables 1 and 2 show 0.50-0.99;
# docs/design.md section 1).
DEFAULT_TAUS = (0.10, 0.30, 0.50, 0.70, 0.80, 0.90, 0.95, 0.99)
# The threshold of every single-number summary: the trials row, the headline tables, the
# search objective and Figure 2's examples (the paper's Figure 2 uses 0.8).
REPORT_TAU = 0.8


def rejected(certainty: Any, tau: float) -> Any:
    """True where C rejects: certainty below tau (tau = 0 rejects nothing); a boolean array,
    Series or tensor shaped like `certainty`."""
    return certainty < tau


@dataclass(frozen=True)
class ThresholdRejection:
    """The paper's tau-threshold rule as a checked object: keep y' if c >= tau, else reject."""

    tau: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.tau <= 1.0:
            raise GwinError(f"tau must be in [0, 1], got {self.tau}")

    def rejects(self, certainty: Any) -> Any:
        return rejected(certainty, self.tau)
