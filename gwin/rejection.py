"""Rejection functions r(c, y') -> {reject, y'} (paper Section 4.2).

Any rule that maps a certainty and a label to "reject or keep" fits the GWIN framework; the
evaluation code only needs `rejects(certainty, pred)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from gwin.errors import GwinError


class RejectionFunction(Protocol):
    def rejects(self, certainty: torch.Tensor, pred: torch.Tensor) -> torch.Tensor:
        """Boolean mask, True where the input is rejected."""
        ...


@dataclass(frozen=True)
class ThresholdRejection:
    """The paper's tau-threshold rule: keep y' if c >= tau, else reject (tau=0 rejects nothing)."""

    tau: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.tau <= 1.0:
            raise GwinError(f"tau must be in [0, 1], got {self.tau}")

    def rejects(self, certainty: torch.Tensor, pred: torch.Tensor | None = None) -> torch.Tensor:
        return certainty < self.tau
