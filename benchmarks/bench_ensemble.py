"""A deep ensemble two ways: members one after another (the library) vs stacked into one model.

    python benchmarks/bench_ensemble.py                 # K = 5, 100 Adam steps of batch 128, CPU
    python benchmarks/bench_ensemble.py --members 10 --device cuda

Both do the same work from the same initial weights on the same batches:
  (a) training: the library's `LeNet5Ensemble` (K LeNet-5s in a ModuleList, one optimiser, each
      member on its own batch) vs the members' weights stacked with torch.func.stack_module_state
      and run with vmap (one grouped convolution per layer instead of K small ones);
  (b) evaluation: `mc_probs` on 1,000 inputs, the same two ways.
Prints the times and the ratio stacked / library (above 1: the library is faster). Record new
figures in docs/performance.md ("Deep ensembles").
"""

from __future__ import annotations

import argparse
import copy
import platform
import time

import torch
from torch.func import functional_call, stack_module_state, vmap

from gwin.models.registry import build_classifier


def timed(fn, device: torch.device, repeats: int = 1) -> float:
    fn()  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    started = time.perf_counter()
    for _ in range(repeats):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - started) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device, k = torch.device(args.device), args.members

    torch.manual_seed(0)
    x = torch.rand(args.steps, k, args.batch_size, 1, 28, 28, device=device)
    y = torch.randint(10, (args.steps, k, args.batch_size), device=device)
    test = torch.rand(1000, 1, 28, 28, device=device)
    ensemble = build_classifier("lenet5_ensemble", members=k).to(device)
    nets = [copy.deepcopy(ensemble.member(i)) for i in range(k)]
    stacked, _ = stack_module_state(nets)
    template = copy.deepcopy(nets[0]).to("meta")

    def stacked_logits(params, inputs, one_each: bool):
        def run(p, xb):
            return functional_call(template, p, (xb,))

        return vmap(run, in_dims=(0, 0 if one_each else None))(params, inputs)

    def train_library() -> None:
        opt = torch.optim.Adam(ensemble.parameters(), lr=1e-3)
        for step in range(args.steps):
            loss = ensemble.training_loss(x[step], y[step])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    def train_stacked() -> None:
        opt = torch.optim.Adam(stacked.values(), lr=1e-3)
        for step in range(args.steps):
            logits = stacked_logits(stacked, x[step], one_each=True)
            loss = (
                torch.nn.functional.cross_entropy(
                    logits.flatten(0, 1), y[step].flatten(), reduction="sum"
                )
                / x.shape[2]
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    with torch.no_grad():
        eval_library = timed(lambda: ensemble.mc_probs(test, k), device, 5)
        eval_stacked = timed(
            lambda: stacked_logits(stacked, test, one_each=False).softmax(-1), device, 5
        )
    train_l, train_s = timed(train_library, device), timed(train_stacked, device)

    print(f"{platform.node()} {device} torch {torch.__version__} threads {torch.get_num_threads()}")
    print(f"K={k} members; training: {args.steps} Adam steps of batch {args.batch_size}")
    print(f"(a) train   library {train_l:7.2f} s   stacked {train_s:7.2f} s   "
          f"ratio stacked / library {train_s / train_l:.2f}x")  # fmt: skip
    print(f"(b) eval    library {eval_library:7.3f} s   stacked {eval_stacked:7.3f} s   "
          f"ratio stacked / library {eval_stacked / eval_library:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
