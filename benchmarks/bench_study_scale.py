"""A real Ray Tune study of 1,000 tiny trials on this machine, measured (issue 37, point 5).

    python benchmarks/bench_study_scale.py --trials 1000 --kill-at 600 --out DIR

Runs `gwin sweep` over N seeds of a tiny digits trial (2 generator iterations, one shared
classifier: --classifier-seed 0) on local Ray, 2 trials at a time, with the driver in a child
process that records, in DIR/events.jsonl, every trial completion and every experiment
checkpoint Tune writes. Meanwhile this process samples the driver's RSS. At --kill-at
completions it SIGKILLs the driver (as an out-of-memory kill would), stops the Ray it had
started, and runs the same command with --resume. It measures:

  (a) the driver's RSS at every 100 completions (goal: flat within 1.5x from 100 to N);
  (b) gwin's own work per completion in the driver (the results index and the progress table,
      the callbacks' wall time), and Tune's experiment checkpoints (count, seconds, period);
  (c) the study's overhead per trial: driver wall time x 2 slots / N, less the mean of the
      trials' own wall time (started_at .. finished_at in their records) (goal: < 1 s);
  (d) the resume: seconds from the --resume command to its first new completion (goal: < 60 s),
      and whether any trial that had finished before the kill ran again (goal: none; its
      trials.parquet would be rewritten);
  (e) `gwin tables STUDY` and `gwin.open_study(STUDY).summary()` on the result (goal: < 10 s).

The last line printed is one JSON object with all of these. It needs the machine to itself:
anything else running moves (c). Record new figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOTS = 2
# a tiny trial: ~2.5 s of its own work on one core, and one classifier for all of them
TINY = [
    "--preset", "smoke", "--datasets", "digits", "--classifier-seed", "0",
    "--iterations", "2", "--checkpoint-every", "2", "--eval-every", "2", "--eval-size", "50",
    "--clf-epochs", "2", "--clf-batch-size", "16", "--limit-train", "500", "--tau-star", "0.5",
    "--mc-samples", "3", "--n-examples", "0",
    "--cpus-per-trial", "1", "--max-concurrent", str(SLOTS),
]  # fmt: skip
SPEC = "grid: {}\ncorruptions: []\n"  # no corrupted sets: the flag takes no empty list


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _events(log: Path) -> list[dict]:
    if not log.exists():
        return []
    lines = log.read_text().splitlines()
    return [json.loads(s) for s in lines if s.endswith("}")]  # the last may be half-written


# ---- the driver (a child process): gwin sweep, with its callbacks and Tune's checkpoints timed


def _as_driver(log: Path, argv: list[str]) -> int:
    from gwin.tune.ray_session import local_ray_env

    local_ray_env()  # before Ray is imported: it reads its auth mode then
    from ray.tune.execution.tune_controller import TuneController

    from gwin.tune import sweep
    from gwin.tune.driver_callback import ResultsCallback
    from gwin.tune.progress_table import StudyProgress

    out = log.open("a", buffering=1)
    session = os.getpid()

    def emit(**row) -> None:
        out.write(json.dumps({"t": time.time(), "driver": session, **row}) + "\n")

    def timed(cls, name: str, kind: str):
        original = getattr(cls, name)

        def wrapper(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                seconds = time.perf_counter() - start
                if kind == "complete":
                    trial = kwargs.get("trial", args[2] if len(args) > 2 else None)
                    emit(kind=f"{cls.__name__}.complete", s=seconds, trial=str(trial))
                elif kind == "checkpoint":
                    period = self._checkpoint_manager._checkpoint_period
                    emit(kind="tune_checkpoint", s=seconds, period=period)
                else:
                    emit(kind=f"{cls.__name__}.{name}", s=seconds)

        setattr(cls, name, wrapper)

    timed(ResultsCallback, "on_trial_complete", "complete")
    timed(StudyProgress, "on_trial_complete", "complete")
    timed(StudyProgress, "on_trial_result", "result")
    timed(TuneController, "save_to_dir", "checkpoint")
    emit(kind="start")
    return sweep.main(argv)


# ---- the benchmark


def _trial_seconds(study: Path) -> list[float]:
    import pandas as pd

    from gwin.store.index import INDEX_PARTS

    trials = pd.read_parquet(study.joinpath(*INDEX_PARTS))
    return list(trials["finished_at"] - trials["started_at"])


def _finished(study: Path) -> dict[str, float]:
    """Trial id -> mtime of its trials.parquet, for every trial with whole outputs."""
    from gwin.store.location import OUTPUTS_DIR

    outputs = study / OUTPUTS_DIR
    found = {}
    for path in outputs.glob("*/trials.parquet") if outputs.exists() else []:
        found[path.parent.name] = path.stat().st_mtime
    return found


def _run_driver(args, log: Path, extra: list[str], kill_at: int | None, marks: dict) -> dict:
    argv = [*TINY, "--seeds", str(args.trials), "--storage", str(args.out), "--name", "study",
            "--spec", str(args.out / "spec.yaml"), *extra]  # fmt: skip
    cmd = [sys.executable, __file__, "--as-driver", str(log), "--", *argv]
    started = time.time()
    before = sum(e["kind"] == "ResultsCallback.complete" for e in _events(log))
    with (args.out / "driver.log").open("a") as console:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=console, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    first_new, killed = None, False
    try:
        while proc.poll() is None:
            time.sleep(0.5)
            done = sum(e["kind"] == "ResultsCallback.complete" for e in _events(log))
            rss = _rss_mb(proc.pid)
            if done > before and first_new is None:
                first_new = time.time() - started
            mark = done // 100 * 100
            if mark and mark not in marks and rss is not None:
                marks[mark] = round(rss, 1)
                print(f"{time.strftime('%H:%M:%S')} {done} trials done, driver RSS {rss:.0f} MB",
                      flush=True)  # fmt: skip
            if kill_at is not None and done >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)  # the driver alone, as the OOM killer would
                proc.wait()
                killed = True
                break
    finally:
        # Ray's processes outlive a killed driver; the user's `ray stop`, for this group only
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    return {"wall_s": time.time() - started, "rc": proc.returncode, "killed": killed,
            "driver": proc.pid,
            "first_new_completion_s": first_new}  # fmt: skip


def _by_hundred(events: list[dict]) -> tuple[dict[int, float], dict[int, float]]:
    """Medians per 100 completions (0: the first 100) of Tune's snapshot seconds and of the
    index update per completion: how each grows with the study."""
    done, snapshots, index = 0, {}, {}
    for e in events:
        if e["kind"] == "ResultsCallback.complete":
            index.setdefault(done // 100 * 100, []).append(e["s"])
            done += 1
        elif e["kind"] == "tune_checkpoint":
            snapshots.setdefault(done // 100 * 100, []).append(e["s"])

    def medians(found: dict[int, list[float]]) -> dict[int, float]:
        return {k: round(statistics.median(v), 4) for k, v in sorted(found.items())}

    return medians(snapshots), medians(index)


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--kill-at", type=int, default=600, help="0: no kill")
    parser.add_argument("--out", type=Path, required=True, help="an empty or new folder")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out {args.out} is not empty; give a new folder")
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "spec.yaml").write_text(SPEC)
    log, study, marks = args.out / "events.jsonl", args.out / "study", {}

    first = _run_driver(args, log, [], args.kill_at or None, marks)
    resumed = None
    if first["killed"]:
        before = _finished(study)
        resumed = _run_driver(args, log, ["--resume"], None, marks)
        after = _finished(study)
        rerun = [t for t, mtime in before.items() if after.get(t) != mtime]
        # Tune's state is up to a checkpoint period old: trials that finished since are
        # scheduled again, find their outputs and report them without training (rescheduled)
        again = [
            e for e in _events(log)
            if e["kind"] == "ResultsCallback.complete" and e["driver"] != first["driver"]
            and e["trial"] in before
        ]  # fmt: skip
        resumed.update(finished_at_kill=len(before), rerun=len(rerun), rescheduled=len(again))
    last = resumed or first
    if last["rc"] != 0:
        print(f"the study failed (rc {last['rc']}); see {args.out / 'driver.log'}", file=sys.stderr)
        return 1

    events = _events(log)
    snapshot_by_100, callback_by_100 = _by_hundred(events)
    completions = [e for e in events if e["kind"] == "ResultsCallback.complete"]
    callbacks = ("ResultsCallback.complete", "StudyProgress.complete")
    per_completion = [e["s"] for e in events if e["kind"] in callbacks]
    table_refreshes = [e["s"] for e in events if e["kind"] == "StudyProgress.on_trial_result"]
    checkpoints = [e for e in events if e["kind"] == "tune_checkpoint"]
    own = _trial_seconds(study)
    wall = first["wall_s"] + (resumed["wall_s"] if resumed else 0)
    gwin_s = sum(per_completion) + sum(table_refreshes)
    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "trials": args.trials,
        "slots": SLOTS,
        "completions_seen": len(completions),
        "rows_in_index": len(own),
        "driver_rss_mb": marks,
        "gwin_callbacks_s_per_completion": gwin_s / max(len(completions), 1),
        "gwin_callbacks_s_max": max(per_completion, default=0.0),
        "tune_checkpoints": len(checkpoints),
        "tune_checkpoint_s_median": statistics.median([e["s"] for e in checkpoints] or [0]),
        "tune_checkpoint_s_total": sum(e["s"] for e in checkpoints),
        "tune_checkpoint_period_s_last": checkpoints[-1]["period"] if checkpoints else None,
        "tune_checkpoint_s_median_by_100": snapshot_by_100,
        "gwin_index_s_median_by_100": callback_by_100,
        "tune_trial_errors": len(list(study.rglob("error.txt"))),
        "driver_wall_s": wall,
        "trial_own_s_mean": statistics.mean(own),
        "overhead_s_per_trial": wall * SLOTS / args.trials - statistics.mean(own),
        "first": first,
        "resume": resumed,
        "gwin_tables_s": _timed([sys.executable, "-m", "gwin", "tables", str(study)]),
        "open_study_summary_s": _timed(
            [sys.executable, "-c", f"import gwin; gwin.open_study({str(study)!r}).summary()"]
        ),  # fmt: skip
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--as-driver":
        rest = sys.argv[3:]
        sys.exit(_as_driver(Path(sys.argv[2]), rest[1:] if rest[:1] == ["--"] else rest))
    sys.exit(main())
