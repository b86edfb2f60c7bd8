"""Benchmark the hot steps of a GWIN trial, each against a plain implementation of the same work.

    python benchmarks/bench_trial.py                      # cpu preset widths, CPU
    python benchmarks/bench_trial.py --preset paper --device cuda
    python benchmarks/bench_trial.py --n-critic 5             # (b) with the paper's n_critic
    python benchmarks/bench_trial.py --stages             # also time a whole smoke trial

Prints, in one run:
  (a) Monte Carlo certainty for a batch, every draw an independent posterior sample: T draws
      in ONE forward with T grouped weight samples (the library's `mc_probs`) vs a Python loop
      of T forwards (one weight sample each), for LeNet-5 and the stronger BCNN;
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
from gwin.metrics.certainty import mc_summary
from gwin.models.classifiers import build_classifier
from gwin.models.gwin_nets import Critic, build_generator
from gwin.train_gwin import WGWINTrainer


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


@torch.no_grad()
def mc_looped(model, x: torch.Tensor, samples: int):
    probs = torch.stack([F.softmax(model(x), dim=-1) for _ in range(samples)])
    return mc_summary(probs)


@torch.no_grad()
def mc_batched(model, x: torch.Tensor, samples: int):
    return mc_summary(model.mc_probs(x, samples))


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
    """Loop of T forwards vs T grouped draws in one forward, on the whole batch and in the
    library's chunks (`gwin.trial._mc_batch`: ~1k rows on a CPU, where they stay in cache)."""
    from gwin.confident import certainties
    from gwin.trial import _mc_batch

    x = torch.rand(n, 1, 28, 28, device=device)
    split = Split(x, torch.zeros(n, dtype=torch.long, device=device))
    chunk = _mc_batch(TrialConfig.from_preset("smoke", mc_samples=samples), device)
    for name in ("lenet5", "bcnn"):
        model = build_classifier(name).to(device).eval()
        looped = timed(lambda: mc_looped(model, x, samples), device, reps)  # noqa: B023
        whole = timed(lambda: mc_batched(model, x, samples), device, reps)  # noqa: B023
        library = timed(lambda: certainties(model, split, samples, chunk), device, reps)  # noqa: B023
        print(
            f"(a) MC certainty, {name}, {n} inputs x T={samples} independent draws: loop of T "
            f"forwards {looped * 1e3:.0f} ms, one grouped forward {whole * 1e3:.0f} ms "
            f"({looped / whole:.2f}x), library (grouped, {chunk} inputs per forward) "
            f"{library * 1e3:.0f} ms; ratio loop/library = {looped / library:.2f}x"
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
