"""Does a study keep to its CPU share beside other work? The quick-start study, alone and beside
a busy neighbour, in one run; prints both times and the slowdown ratio.

    python benchmarks/bench_contention.py                     # as gwin runs its trials
    python benchmarks/bench_contention.py --ray-niceness 15   # Ray's default worker niceness

The study is `studies/ablation_lambda.py --preset smoke --datasets digits --seeds 2 --lambdas 10`
(two trials, one CPU each). The neighbour is a separate, nice-0 process running a 2-thread torch
loop ((a @ a).tanh() on a 512x512 tensor), as a notebook or another job would. On N cores a fair
share beside a 2-thread neighbour is about (study threads + 2) / N times the time alone: 2x on 2
cores. Both runs must give the same numbers; the script checks that. Figures and their cause are
in docs/performance.md ("Beside other work").
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDY = [
    str(ROOT / "studies" / "ablation_lambda.py"),
    "--preset", "smoke", "--datasets", "digits", "--seeds", "2", "--lambdas", "10",
]  # fmt: skip
NEIGHBOUR = """
import torch
torch.set_num_threads(2)
a = torch.rand(512, 512)
while True:
    a = (a @ a).tanh()
"""


def run_study(storage: str, name: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *STUDY, "--storage", storage, "--name", name],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def numbers(storage: str, name: str):
    from gwin.store.reader import read_table

    trials = read_table(os.path.join(storage, name), "trials").sort_values("seed")
    return trials[["seed", "test_rejected_acc_delta", "test_gain_over_identity"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ray-niceness",
        type=int,
        default=None,
        help="RAY_worker_niceness for the study's Ray (default: what gwin sets, 0)",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    if args.ray_niceness is not None:
        env["RAY_worker_niceness"] = str(args.ray_niceness)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="gwin-contention-") as storage:
        alone = run_study(storage, "alone", env)
        print(f"alone:            {alone:7.1f} s", flush=True)
        neighbour = subprocess.Popen([sys.executable, "-c", NEIGHBOUR])
        try:
            time.sleep(2)  # let it get going
            beside = run_study(storage, "beside", env)
        finally:
            neighbour.kill()
            neighbour.wait()
        print(f"beside neighbour: {beside:7.1f} s")
        print(f"slowdown:         {beside / alone:7.2f}x (fair share on 2 cores: about 2x)")
        a, b = numbers(storage, "alone"), numbers(storage, "beside")
        same = a.reset_index(drop=True).equals(b.reset_index(drop=True))
        print(f"same results:     {same}")
        if not same:
            print(a.to_string(index=False), b.to_string(index=False), sep="\n")
            sys.exit(1)


if __name__ == "__main__":
    main()
