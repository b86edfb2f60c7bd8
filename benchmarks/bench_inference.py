"""Latency of a trained GWIN (the paper's Figure 1) against C alone.

    python benchmarks/bench_inference.py                    # cpu and paper architectures, CPU
    python benchmarks/bench_inference.py --device cuda

For the `cpu` and `paper` architectures (fresh weights: latency does not depend on their
values), at batch 1 and batch 256, it times in one run:
  C alone      T = 10 Monte Carlo draws of C (`MCClassifier.mc_probs` + `mc_summary`), what a
               classifier with rejection costs per input;
  Figure 1     `gwin.model.GWIN.predict` with every input rejected (tau = 1): C's T draws,
               G(x, z), and C's T draws again on the translation, the whole path a rejected
               input takes;
and prints milliseconds per image and the ratio Figure 1 / C alone. The model is built and its
weights loaded once; each call reuses it. Record new figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from gwin.config import TrialConfig
from gwin.metrics.certainty import mc_summary
from gwin.model import GWIN, model_files
from gwin.models.gwin_nets import build_generator
from gwin.models.registry import build_classifier


def _model(preset: str, device: torch.device) -> GWIN:
    import json

    cfg = TrialConfig.from_preset(preset, dataset="mnist")
    c = build_classifier(cfg.classifier, 10, **cfg.classifier_options()).to(device).eval()
    g = build_generator(cfg.generator, cfg.dim, cfg.z_dim).to(device).eval()
    meta = json.loads(model_files(cfg, c, g, 10, "bench")["model.json"])
    return GWIN(c, g, meta, device)


def timed(fn, device: torch.device, reps: int) -> float:
    """Median seconds per call, after two warm-up calls."""
    fn(), fn()
    times = []
    for _ in range(reps):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(model: GWIN, x: torch.Tensor, reps: int) -> tuple[float, float]:
    """(seconds for C alone, seconds for Figure 1 with every input rejected) per batch."""
    samples = model.meta["mc_samples"]

    @torch.no_grad()
    def alone():
        return mc_summary(model.classifier.mc_probs(x, samples)).pred

    return timed(alone, x.device, reps), timed(lambda: model.predict(x, tau=1.0), x.device, reps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--presets", nargs="+", default=["cpu", "paper"])
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"{platform.node()}, {platform.processor() or platform.machine()}, torch "
          f"{torch.__version__} ({torch.get_num_threads()} threads), device {device}")  # fmt: skip
    print("| architecture | batch | C alone (ms/image) | Figure 1, rejected (ms/image) | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for preset in args.presets:
        model = _model(preset, device)
        for batch in (1, 256):
            c_s, g_s = measure(model, torch.rand(batch, 1, 28, 28, device=device), args.reps)
            print(f"| {preset} | {batch} | {1e3 * c_s / batch:.3f} | {1e3 * g_s / batch:.3f} "
                  f"| {g_s / c_s:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
