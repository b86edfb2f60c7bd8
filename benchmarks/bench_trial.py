"""Benchmark the hot steps of a GWIN trial, each against a plain implementation of the same work.

    python benchmarks/bench_trial.py                      # cpu preset widths, CPU
    python benchmarks/bench_trial.py --preset paper --device cuda
    python benchmarks/bench_trial.py --n-critic 5             # (b) with the paper's n_critic
    python benchmarks/bench_trial.py --stages             # also time a whole smoke trial

Prints, in one run:
  (a) Monte Carlo certainty for 1,000 inputs, every draw an independent posterior sample: the
      library's `mc_probs` (a loop of T forwards, one weight sample each, in chunks of
      `gwin.device.mc_chunk` inputs) vs T weight samples in ONE forward of the T-times repeated
      input (grouped convolutions / batched matmuls, written here), for LeNet-5 and the BCNN;
  (b) one WGWIN-GP generator iteration (n_critic critic steps + 1 generator step): the library's
      `WGWINTrainer.step` vs a plain eager fp32 implementation of the same networks and losses
      (separate critic calls for real/fake, critic gradients left on during the G step);
and the ratio plain / library for each. Record new figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch
import torch.nn.functional as F

from gwin.config import TrialConfig
from gwin.data.datasets import Split
from gwin.layers.flipout import FlipoutLayer, FlipoutLinear, _random_signs
from gwin.method.train_gwin import WGWINTrainer
from gwin.metrics.certainty import mc_summary
from gwin.models.gwin_nets import Critic, build_generator
from gwin.models.registry import build_classifier


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device: torch.device, reps: int, warmup: int = 2) -> float:
    """Median seconds per call."""
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _grouped_forward(layer: FlipoutLayer, x: torch.Tensor, draws: int) -> torch.Tensor:
    """A Flipout layer whose T blocks of rows each get their own weight sample, in one call."""
    out = layer._op(x, layer.weight_mu, layer.bias)
    s_shape, r_shape = layer._sign_shapes(x, out)
    flipped = x * _random_signs(s_shape, x)
    delta = layer.weight_sigma * torch.randn(draws, *layer.weight_mu.shape, device=x.device)
    rows = x.shape[0]
    if isinstance(layer, FlipoutLinear):
        blocks = flipped.reshape(draws, rows // draws, -1)
        perturbation = torch.bmm(blocks, delta.transpose(1, 2)).reshape(rows, -1)
    else:  # [T*B, C, H, W] -> [B, T*C, H, W]: T groups, group t through delta[t]
        grouped = flipped.reshape(draws, rows // draws, *x.shape[1:]).transpose(0, 1)
        p = F.conv2d(
            grouped.flatten(1, 2), delta.flatten(0, 1), None, layer.stride, layer.padding,
            groups=draws,
        )  # fmt: skip
        p = p.reshape(rows // draws, draws, -1, *p.shape[2:]).transpose(0, 1)
        perturbation = p.reshape(rows, *p.shape[2:])
    return out + perturbation * _random_signs(r_shape, out)


@torch.no_grad()
def mc_grouped(model, x: torch.Tensor, samples: int, chunk: int):
    """The alternative: T independent draws in one pass per chunk (same maths as mc_probs)."""
    layers = [m for m in model.modules() if isinstance(m, FlipoutLayer)]
    saved = [layer.forward for layer in layers]
    for layer in layers:
        layer.forward = lambda v, layer=layer: _grouped_forward(layer, v, samples)
    try:
        summaries = []
        for start in range(0, len(x), chunk):
            xb = x[start : start + chunk]
            logits = model(xb.repeat(samples, 1, 1, 1))
            summaries.append(mc_summary(logits.softmax(-1).view(samples, len(xb), -1)))
        return summaries
    finally:
        for layer, forward in zip(layers, saved, strict=True):
            layer.forward = forward


def plain_iteration(gen, critic, clf, opt_g, opt_d, confident: Split, train: Split, cfg) -> None:
    """Algorithm 1 written the straightforward way, as a reference for the library's step."""
    dev = confident.x.device
    for _ in range(cfg.n_critic):
        idx = torch.randint(len(confident), (cfg.batch_size,), device=dev)
        x, y = confident.x[idx], confident.y[idx]
        fake = gen(x, torch.randn(len(x), cfg.z_dim, device=dev)).detach()
        eps = torch.rand(len(x), 1, 1, 1, device=dev)
        x_hat = (eps * x + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x_hat, y).sum(), x_hat, create_graph=True)
        gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
        loss = critic(fake, y).mean() - critic(x, y).mean() + cfg.lambda_gp * gp
        opt_d.zero_grad()
        loss.backward()
        opt_d.step()
    idx = torch.randint(len(train), (cfg.batch_size,), device=dev)
    x, y = train.x[idx], train.y[idx]
    fake = gen(x, torch.randn(len(x), cfg.z_dim, device=dev))
    loss = -critic(fake, y).mean() + cfg.lambda_loss * F.cross_entropy(clf(fake), y)
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()


def bench_mc(device: torch.device, reps: int, n: int = 1000, samples: int = 10) -> None:
    """The library's loop of T forwards (in its chunks) vs T grouped draws in one forward per
    chunk of 100 inputs (1,000 rows) or of all n inputs."""
    from gwin.device import mc_chunk
    from gwin.method.confident import certainties

    x = torch.rand(n, 1, 28, 28, device=device)
    split = Split(x, torch.zeros(n, dtype=torch.long, device=device))
    chunk = mc_chunk(device)
    for name in ("lenet5", "bcnn"):
        model = build_classifier(name).to(device).eval()
        library = timed(lambda: certainties(model, split, samples, chunk), device, reps)  # noqa: B023
        small = timed(lambda: mc_grouped(model, x, samples, 100), device, reps)  # noqa: B023
        whole = timed(lambda: mc_grouped(model, x, samples, n), device, reps)  # noqa: B023
        print(
            f"(a) MC certainty, {name}, {n} inputs x T={samples} independent draws: library "
            f"(loop of T forwards, {chunk} inputs each) {library * 1e3:.0f} ms; grouped, one "
            f"forward per 100 inputs {small * 1e3:.0f} ms, per {n} inputs {whole * 1e3:.0f} ms; "
            f"ratio grouped/library = {small / library:.2f}x"
        )


def bench_iteration(cfg: TrialConfig, device: torch.device, reps: int) -> None:
    torch.manual_seed(0)
    data = Split(
        torch.rand(4096, 1, 28, 28, device=device), torch.randint(0, 10, (4096,), device=device)
    )
    clf = build_classifier("lenet5").to(device).eval()

    def nets():
        g = build_generator(cfg.generator, cfg.dim, cfg.z_dim).to(device)
        return g, Critic(cfg.dim).to(device)

    trainer = WGWINTrainer(*nets(), clf, data, data, cfg)
    gen, critic = nets()
    betas = (cfg.beta1, cfg.beta2)
    opt_g = torch.optim.Adam(gen.parameters(), lr=cfg.lr_g, betas=betas)
    opt_d = torch.optim.Adam(critic.parameters(), lr=cfg.lr_d, betas=betas)
    plain = timed(
        lambda: plain_iteration(gen, critic, clf, opt_g, opt_d, data, data, cfg), device, reps
    )
    library = timed(trainer.step, device, reps)
    print(
        f"(b) WGWIN-GP generator iteration, preset {cfg.preset} ({cfg.generator}, dim "
        f"{cfg.dim}, batch {cfg.batch_size}, n_critic {cfg.n_critic}): plain "
        f"{plain * 1e3:.1f} ms, library {library * 1e3:.1f} ms, "
        f"ratio plain/library = {plain / library:.2f}x"
    )


def bench_stages() -> None:
    from gwin.trial import run_trial

    cfg = TrialConfig.from_preset("smoke", dataset="digits", progress=False, cache_dir="/tmp/gwb")
    record = run_trial(cfg).record
    shown = ", ".join(f"{k[8:]} {v:.1f} s" for k, v in record.items() if k.startswith("seconds_"))
    print(f"(c) smoke trial on digits, stages: {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cpu", choices=["smoke", "cpu", "paper"])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--n-critic", type=int, help="override the preset's n_critic in (b)")
    parser.add_argument("--stages", action="store_true", help="also time a whole smoke trial")
    args = parser.parse_args()
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    print(
        f"device {device} ({name or platform.machine()}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads"
    )
    bench_mc(device, args.reps)
    bench_iteration(TrialConfig.from_preset(args.preset, n_critic=args.n_critic), device, args.reps)
    if args.stages:
        bench_stages()


if __name__ == "__main__":
    main()
