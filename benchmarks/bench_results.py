"""Benchmark the results layer at the sizes users run: thousands of `paper`-sized trials.

    python benchmarks/bench_results.py --trials 100 400 1600 --out DIR

Writes synthetic trials of the `paper` preset's size (150,000 prediction rows each: validation,
test and the 13 corrupted test sets of 10,000 inputs; labels, certainties and verdicts drawn
from honest distributions: C right more often the more certain it is, G fixing some of the
rejected inputs) with the real writer (`gwin.store.trial_outputs.write_trial`) into one study
under DIR, over a 2 datasets x 4 classifiers x 5 lambdas x 4 tau* x 11 seeds grid. As the study
grows past each N it measures:

  (a) what the driver does per trial completion (`gwin.store.index.index_trials`, the median
      of 5 completions), and beside it, at the smallest N, what the driver did before schema 3:
      re-read, sort and rewrite every finished trial's predictions (the v2 consolidation, kept
      here as the baseline) - the ratio of the two is printed;
  (b) on the largest store: `analysis/tables.py` and `analysis/report.py` as subprocesses, their
      wall time and peak RSS.

The last line printed is one JSON object: per_completion_s (N -> s), baseline_per_completion_s,
tables_s, tables_peak_rss_mb, report_s, report_peak_rss_mb and study (the largest store's
location, as analysis/tables.py takes it). An existing store under DIR is grown, not rewritten.
Record new figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gwin.config import TrialConfig
from gwin.corruptions import corruption_names
from gwin.method.trial_eval import headline_summary
from gwin.store.index import index_trials, rebuild_index
from gwin.store.location import OUTPUTS_DIR, Folder, list_dirs
from gwin.store.schema import PREDICTION_COLUMNS, PREDICTION_TYPES, stamp
from gwin.store.trial_outputs import trial_folder, write_trial
from gwin.store.trials_table import trials_row

ROOT = Path(__file__).resolve().parents[1]
N_INPUTS = 10_000
SETS = [("val", "none"), ("test", "none"), *(("test", c) for c in corruption_names())]
GRID = {
    "dataset": ["mnist", "fashion_mnist"],
    "classifier": ["lenet5", "bcnn", "lenet5_dropout", "lenet5_softmax"],
    "lambda_loss": [0.0, 1.0, 10.0, 30.0, 100.0],
    "tau_star": [0.8, 0.9, 0.95, 0.99],
    "seed": list(range(11)),  # 10 seeds, and one more for the completions timed past N
}


def grid_configs() -> list[TrialConfig]:
    keys = list(GRID)
    return [
        TrialConfig.from_preset("paper", **dict(zip(keys, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]


def _verdict(rng, label, certainty, skill: float):
    """A verdict whose correctness rises with certainty; wrong labels are another class."""
    correct = rng.uniform(size=len(label)) < np.clip(certainty + skill, 0, 1) ** 1.5
    pred = np.where(correct, label, (label + rng.integers(1, 10, len(label))) % 10)
    gt = np.where(correct, certainty, (1 - certainty) * rng.uniform(size=len(label)))
    return pred, certainty.astype(np.float32), gt.astype(np.float32)


def synthetic_trial(cfg: TrialConfig, rng: np.random.Generator) -> SimpleNamespace:
    trial_id = cfg.trial_key()
    frames = []
    for split, corruption in SETS:
        label = rng.integers(0, 10, N_INPUTS)
        hard = 0.15 if corruption == "none" else 0.35
        certainty = rng.beta(4.0, 4.0 * hard, N_INPUTS)
        cols = {"label": label}
        for verdict, skill in (("bnn", 0.0), ("identity", 0.0), ("gwin", 0.08)):
            c = certainty if verdict == "bnn" else rng.beta(4.0, 4.0 * hard * 0.8, N_INPUTS)
            pred, cert, gt = _verdict(rng, label, c, skill)
            cols.update({f"{verdict}_pred": pred, f"{verdict}_certainty": cert,
                         f"{verdict}_gt_certainty": gt})  # fmt: skip
        frame = pd.DataFrame(cols)
        frame.insert(0, "index", np.arange(N_INPUTS))
        frame.insert(0, "corruption", corruption)
        frame.insert(0, "split", split)
        frame.insert(0, "trial_id", trial_id)
        frames.append(frame)
    predictions = pd.concat(frames, ignore_index=True)[PREDICTION_COLUMNS]
    predictions = predictions.astype({k: v.to_pandas_dtype() for k, v in PREDICTION_TYPES.items()
                                      if k not in ("trial_id", "split", "corruption")})  # fmt: skip
    test = frames[1]
    examples = test.head(cfg.n_examples).assign(
        image=[rng.uniform(size=784).astype(np.float32) for _ in range(cfg.n_examples)],
        transformed=[rng.uniform(size=784).astype(np.float32) for _ in range(cfg.n_examples)],
    )
    history = [
        {
            "iteration": it,
            "critic_loss": float(rng.normal()),
            "generator_loss": float(rng.normal()),
            "val_gain_over_identity": float(rng.normal(2, 1)),
        }  # fmt: skip
        for it in range(cfg.eval_every, cfg.iterations + 1, cfg.eval_every)
    ]
    record = trials_row(
        cfg, trial_id, "bench_results", n_train=50_000,
        n_confident=int(rng.integers(30_000, 48_000)), classifier_cache_hit=True,
        confident_cache_hit=True, resumed_from_iteration=0, device="cuda",
        final_critic_loss=-1.0, final_generator_loss=1.0,
        **headline_summary(frames[0], "val"), **headline_summary(test, "test"),
        val_ece=0.02, val_nll=0.3, test_ece=0.02, test_nll=0.3, seconds_total=600.0,
    )  # fmt: skip
    return SimpleNamespace(record=record, predictions=predictions, examples=examples,
                           history=history)  # fmt: skip


def v2_consolidate(study: Folder) -> None:
    """What the driver did after every completion before schema 3 (gwin 0.2's consolidate):
    read every finished trial's predictions, sort them, rewrite the study's dataset."""
    parts = [
        pq.read_table(trial_folder(study, t).path("predictions.parquet"), filesystem=study.fs)
        for t in list_dirs(study.fs, study.path(OUTPUTS_DIR))
    ]
    table = pa.concat_tables([p.replace_schema_metadata(None) for p in parts])
    table = table.sort_by([("trial_id", "ascending"), ("split", "ascending"),
                           ("corruption", "ascending"), ("index", "ascending")])  # fmt: skip
    path = study.path("bench-v2", "predictions", "part-0.parquet")
    study.fs.create_dir(str(Path(path).parent), recursive=True)
    pq.write_table(stamp(table), path, filesystem=study.fs)


def grow(study: Folder, configs: list[TrialConfig], upto: int, done: set[str]) -> None:
    started, todo = time.perf_counter(), [c for c in configs[:upto] if c.trial_key() not in done]
    for i, cfg in enumerate(todo, 1):
        rng = np.random.default_rng(int(cfg.trial_key(), 16) % 2**32)
        write_trial(trial_folder(study, cfg.trial_key()), synthetic_trial(cfg, rng))
        done.add(cfg.trial_key())
        if i % 20 == 0 or i == len(todo):
            rate = i / (time.perf_counter() - started)
            print(f"\r  wrote {len(done)}/{upto} trials ({rate:.1f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)


def view(study: Folder, configs: list[TrialConfig], n: int, root: Path) -> Folder:
    """A study of the first n trials of a larger store: its trial folders as symbolic links
    (a store grown by an earlier run can still be measured at a smaller N)."""
    small = Folder.at(root / f"study-{n}")
    if not small.exists():
        (root / f"study-{n}" / OUTPUTS_DIR).mkdir(parents=True)
        for cfg in configs[:n]:
            (root / f"study-{n}" / OUTPUTS_DIR / cfg.trial_key()).symlink_to(
                trial_folder(study, cfg.trial_key()).root, target_is_directory=True
            )
    return small


def per_completion(study: Folder, configs: list[TrialConfig], n: int, done: set[str]) -> float:
    """Median seconds of index_trials for 5 completions that take the study past n trials
    (each trial written first, as the worker does; only the driver's step is timed)."""
    times = []
    for cfg in configs[n : n + 5]:
        rng = np.random.default_rng(int(cfg.trial_key(), 16) % 2**32)
        write_trial(trial_folder(study, cfg.trial_key()), synthetic_trial(cfg, rng))
        done.add(cfg.trial_key())
        start = time.perf_counter()
        index_trials(study, [cfg.trial_key()])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_measured(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of a child python process. The peak is its VmHWM, read
    while it runs: getrusage's maxrss of a child counts the parent it was forked from."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *argv], cwd=ROOT, stdout=subprocess.DEVNULL)
    peak_kb = 0
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            peak_kb = max(peak_kb, int(status.split("VmHWM:")[1].split()[0]))
        except (OSError, IndexError):
            pass  # exited between poll() and the read
        time.sleep(0.02)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with status {proc.returncode}")
    return time.perf_counter() - start, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, nargs="+", default=[100, 400, 1600])
    parser.add_argument("--out", required=True, help="folder that keeps the synthetic study")
    parser.add_argument("--no-analysis", action="store_true", help="skip tables.py / report.py")
    args = parser.parse_args()
    sizes = sorted(args.trials)
    configs = grid_configs()
    if sizes[-1] + 5 > len(configs):
        parser.error(f"--trials up to {len(configs) - 5} (the grid holds {len(configs)})")
    study = Folder.at(Path(args.out).resolve() / "study")
    done = set(list_dirs(study.fs, study.path(OUTPUTS_DIR)))
    # a store grown by an earlier run may hold trials past a smaller N: measure at its size
    print(f"{platform.node()}, {os.cpu_count()} CPUs, study {study.location}", file=sys.stderr)
    out: dict = {"per_completion_s": {}}
    for target in sizes:
        grow(study, configs, target, done)
        where, mine = study, done
        if len(done) > target + 5:  # grown past it by an earlier run: measure a view of it
            where = view(study, configs, target, Path(args.out).resolve())
            mine = set(list_dirs(where.fs, where.path(OUTPUTS_DIR)))
        rebuild_index(where)
        n = len(mine)  # the study's size when measured
        out["per_completion_s"][n] = per_completion(where, configs, n, mine)
        print(f"  N = {n}: {out['per_completion_s'][n]:.3f} s per completion",
              file=sys.stderr)  # fmt: skip
        if target == sizes[0]:
            start = time.perf_counter()
            v2_consolidate(where)
            out["baseline_per_completion_s"] = {n: time.perf_counter() - start}
            where.fs.delete_dir(where.path("bench-v2"))
            ratio = out["baseline_per_completion_s"][n] / out["per_completion_s"][n]
            print(f"  v2 consolidation at N = {n}: {ratio:.0f}x the index step",
                  file=sys.stderr)  # fmt: skip
    rebuild_index(study)
    if not args.no_analysis:
        out["tables_s"], out["tables_peak_rss_mb"] = run_measured(
            ["analysis/tables.py", study.location]
        )
        report = str(Path(args.out).resolve() / "report.html")
        out["report_s"], out["report_peak_rss_mb"] = run_measured(
            ["analysis/report.py", study.location, "--out", report]
        )
    out["study"] = study.location
    out["trials"] = len(done)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
