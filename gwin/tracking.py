"""What a live tracker shows beside the numbers: G(x, z) for a fixed set of rejected inputs.

The same inputs and the same z at every picture of a trial, so a sequence of pictures shows how
the translations change with training, not how the draws differ. Knows no Ray or tracker: the
Tune side (gwin.tune.trackers) only forwards the array.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gwin.method.rejection import rejected
from gwin.metrics.certainty import mc_summary
from gwin.models.classifiers import MCClassifier

PAD = 1  # pixels of black around every tile


@torch.no_grad()
def pick_rejected(
    classifier: MCClassifier, x: torch.Tensor, *, tau: float, samples: int, n: int
) -> torch.Tensor:
    """The first `n` inputs of `x`, in index order, that C rejects at `tau` (fewer if fewer
    are rejected). Draws C's Monte Carlo passes from the global RNG: fork it around the call."""
    certainty = mc_summary(classifier.mc_probs(x, samples)).certainty
    return x[rejected(certainty, tau)][:n]


@torch.no_grad()
def translation_grid(
    generator: nn.Module, x: torch.Tensor, *, z_dim: int, draws: int, seed: int
) -> np.ndarray:
    """A uint8 picture [1, H, W] (channels first, as TensorBoard's add_image takes it): the
    inputs `x` [N, 1, 28, 28] in the top row, below them one row per z draw of G(x, z).

    z comes from its own generator seeded by `seed`, so calling this never moves the global
    RNG (training is the same with or without pictures)."""
    noise = torch.Generator(device=x.device).manual_seed(seed)
    z = torch.randn(draws, len(x), z_dim, generator=noise, device=x.device)
    was_training = generator.training
    generator.eval()
    rows = [x, *(generator(x, z[d]) for d in range(draws))]
    generator.train(was_training)
    tiles = F.pad(torch.stack(rows).clamp(0, 1), (PAD, PAD, PAD, PAD))  # [R, N, C, h, w]
    r, n, c, h, w = tiles.shape
    grid = tiles.permute(2, 0, 3, 1, 4).reshape(c, r * h, n * w)
    return (grid * 255).round().to(torch.uint8).cpu().numpy()


class Pictures:
    """A trial's pictures: at the first call and every `every`-th after it, the grid of
    G(x, z) for the first `n` inputs of `x` that C rejects at `tau`, with the same z each time
    (None in between, or when C rejects none of `x`)."""

    def __init__(
        self,
        classifier: MCClassifier,
        x: torch.Tensor,
        *,
        tau: float,
        samples: int,
        z_dim: int,
        seed: int,
        every: int,
        n: int = 8,
        draws: int = 3,
    ):
        self.classifier, self.x, self.tau, self.samples = classifier, x, tau, samples
        self.z_dim, self.seed, self.every, self.n, self.draws = z_dim, seed, max(every, 1), n, draws
        self.calls = 0
        self.inputs: torch.Tensor | None = None

    def next(self, generator: nn.Module) -> np.ndarray | None:
        self.calls += 1
        if (self.calls - 1) % self.every:
            return None
        if self.inputs is None:  # chosen once: C is fixed while G trains
            devices = [self.x.device] if self.x.device.type == "cuda" else []
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(self.seed)
                self.inputs = pick_rejected(
                    self.classifier, self.x, tau=self.tau, samples=self.samples, n=self.n
                )
        if not len(self.inputs):
            return None
        return translation_grid(
            generator, self.inputs, z_dim=self.z_dim, draws=self.draws, seed=self.seed
        )
