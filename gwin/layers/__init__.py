"""Bayesian layers (Flipout) written in-house; see `gwin.layers.flipout` for why."""

from gwin.layers.flipout import (
    FlipoutConv2d,
    FlipoutLayer,
    FlipoutLinear,
    deterministic,
    flipout_layers,
    kl_divergence,
)

__all__ = [
    "FlipoutConv2d",
    "FlipoutLayer",
    "FlipoutLinear",
    "deterministic",
    "flipout_layers",
    "kl_divergence",
]
