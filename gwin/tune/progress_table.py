"""The study's console while Tune runs, at most 100 columns wide (gwin.tune.verbosity).

By default one line per trial event: started, retrying (after a failure, from its last
checkpoint), done with its headline metric, stopped early, diverged, failed with its one-line
error; each with the trial's gwin id and the fields the study varies. With -q only failures.
With -v, instead, one table: a row per trial with its gwin trial id, the fields the study
varies, its stage and its headline metric, printed at most every REFRESH_S seconds while
trials report, and once when the run ends. Both replace Tune's own table (the runner runs Tune
with verbose=0), which shows Tune's trial names, every config value and the first four
metrics, and outgrows any terminal.

The stage of a trial: "pending"; "setup" (running, no report yet: data, classifier C, P_c);
"gwin I/N" (WGWIN-GP at generator iteration I of N); "done"; "stopped" (ASHA ended it);
"diverged"; "error". The metric is the validation gain over the identity baseline at
tau = 0.8 (on the first --eval-size validation inputs while training, the whole split when
done): what a search maximises.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ray import tune

from gwin.metrics.names import VAL_GAIN
from gwin.tune import verbosity
from gwin.tune.trial_names import trial_name

WIDTH = 100
REFRESH_S = 30.0
MAX_ROWS = 20
MAX_CELL = 10  # a field's header and values are cut to this when the table is too wide
METRIC_HEADER = "val gain"
GAP = "  "


def stage(status: str, result: dict[str, Any] | None, iterations: int | None) -> str:
    """What a trial is doing, from Tune's status and its last report."""
    result = result or {}
    if status == "PENDING":
        return "pending"
    if status == "ERROR":
        return "error"
    if "diverged" in result:
        return "diverged"
    if status == "TERMINATED":
        return "done" if "trial_key" in result else "stopped"
    if "gen_iter" not in result:
        return "setup" if status == "RUNNING" else status.lower()
    total = f"/{iterations}" if iterations else ""
    return f"gwin {int(result['gen_iter'])}{total}"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def render(rows: Sequence[dict[str, Any]], fields: Sequence[str], width: int = WIDTH) -> list[str]:
    """Lines of a table of `rows` (keys: "trial", each field, "stage", "metric") at most
    `width` columns wide: long field names and values are cut to MAX_CELL characters, and the
    last fields dropped (named in a final line) if that is not enough."""
    fixed = [("trial", "trial"), ("stage", "stage"), ("metric", METRIC_HEADER)]
    header = {k: h for k, h in fixed} | {f: f for f in fields}
    cells = [{k: _cell(r.get(k)) for k in header} for r in rows]

    def widths(keys: Sequence[str], cut: bool) -> dict[str, int]:
        out = {}
        for k in keys:
            texts = [header[k], *(c[k] for c in cells)]
            w = max(map(len, texts))
            out[k] = min(w, MAX_CELL) if cut and k in fields else w
        return out

    shown, cut, dropped = list(fields), False, list[str]()
    while True:
        keys = ["trial", *shown, "stage", "metric"]
        w = widths(keys, cut)
        total = sum(w.values()) + len(GAP) * (len(keys) - 1)
        if total <= width or (cut and not shown):
            break
        if not cut:
            cut = True
        else:
            dropped.insert(0, shown.pop())

    def line(values: dict[str, str]) -> str:
        return GAP.join(_cut(values[k], w[k]).ljust(w[k]) for k in keys).rstrip()[:width]

    lines = [line(header), *(line(c) for c in cells)]
    if dropped:
        lines.append(_cut(f"(not shown: {', '.join(dropped)}; see --dry-run)", width))
    return lines


def _order(row: dict[str, Any]) -> int:
    first = row["stage"].split()[0]
    return {"error": 0, "diverged": 0, "gwin": 1, "setup": 1}.get(first, 2)


class StudyProgress(tune.Callback):
    """Prints a Tune run's trial events, or with -v its table (picklable: Tune keeps it with the
    run, and a resumed run gets it back: so the verbosity is the running study's, read when it
    prints, never stored). `total`: the trials of the run, for the count on each end line."""

    def __init__(
        self,
        run: str,
        fields: Sequence[str],
        refresh_s: float = REFRESH_S,
        total: int | None = None,
    ):
        self.run = run
        self.fields = list(fields)
        self.refresh_s = refresh_s
        self.total = total
        self._last = 0.0
        self._iterations: dict[str, int | None] = {}
        self._started: set[str] = set()

    def _iterations_of(self, trial) -> int | None:
        if trial.trial_id not in self._iterations:
            it = trial.config.get("iterations")
            if it is None:  # the preset's
                from gwin.config import config_from

                try:
                    it = config_from(trial.config).iterations
                except Exception:  # noqa: BLE001 - the table never stops a study
                    it = None
            self._iterations[trial.trial_id] = it
        return self._iterations[trial.trial_id]

    def table(self, trials: Sequence) -> list[str]:
        rows = [
            {
                "trial": trial_name(t),
                **{f: t.config.get(f) for f in self.fields},
                "stage": stage(t.status, t.last_result, self._iterations_of(t)),
                "metric": _metric(t.last_result),
            }
            for t in trials
        ]
        counts: dict[str, int] = {}
        for r in rows:
            word = r["stage"].split()[0].replace("gwin", "running").replace("setup", "running")
            counts[word] = counts.get(word, 0) + 1
        title = f"{time.strftime('%H:%M:%S')} {self.run}: " + ", ".join(
            f"{n} {word}" for word, n in counts.items()
        )
        shown = sorted(rows, key=_order)[:MAX_ROWS]
        lines = [title[:WIDTH], *render(shown, self.fields)]
        if len(rows) > len(shown):
            lines.append(f"... {len(rows) - len(shown)} more trials")
        return lines

    def _print(self, trials: Sequence, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.refresh_s:
            return
        self._last = now
        print("\n".join(self.table(trials)), flush=True)

    def _event(self, trial, what: str, detail: str = "", at: int = verbosity.DEFAULT) -> None:
        verbosity.say(event_line(what, trial_name(trial), self._values(trial), detail), at)

    def _values(self, trial) -> str:
        return " ".join(f"{f}={_cell(trial.config.get(f))}" for f in self.fields)

    def _count(self, trials: list, trial) -> str:
        total = self.__dict__.get("total")  # None in a run pickled before it was kept
        ended = sum(t is trial or t.status in ("TERMINATED", "ERROR") for t in trials)
        return f"[{ended}/{total}]" if total else ""

    def on_trial_start(self, iteration: int, trials: list, trial, **info) -> None:
        started = self.__dict__.setdefault("_started", set())  # a run pickled before it was
        if verbosity.level() == verbosity.DEFAULT and trial.trial_id not in started:
            self._event(trial, "started")
        started.add(trial.trial_id)

    def on_trial_result(self, iteration: int, trials: list, trial, result, **info) -> None:
        if verbosity.level() >= verbosity.VERBOSE:
            self._print(trials)

    def on_trial_complete(self, iteration: int, trials: list, trial, **info) -> None:
        if verbosity.level() >= verbosity.VERBOSE:
            self._print(trials)
        elif trial.last_result:  # not one that never ran (a stopped study's pending trials)
            result = trial.last_result
            what = stage("TERMINATED", result, self._iterations_of(trial))
            detail = f"val gain {_metric(result)}"
            if what == "stopped":
                detail = f"at gwin {int(result.get('gen_iter', 0))}, {detail}"
            elif what == "diverged":
                detail = "(an error row in trials.parquet; not retried)"
            self._event(trial, what, f"{detail}  {self._count(trials, trial)}".rstrip())

    def on_trial_recover(self, iteration: int, trials: list, trial, **info) -> None:
        if verbosity.level() == verbosity.DEFAULT:
            retry = f"retry {trial.num_failures} of {trial.max_failures}"
            self._event(trial, "retrying", f"{retry} after {_error_of(trial)}")

    def on_trial_error(self, iteration: int, trials: list, trial, **info) -> None:
        if verbosity.level() >= verbosity.VERBOSE:
            self._print(trials)
        else:
            count = self._count(trials, trial)
            self._event(trial, "failed", f"{count} {_error_of(trial)}".lstrip(), verbosity.QUIET)

    def on_experiment_end(self, trials: list, **info) -> None:
        if verbosity.level() >= verbosity.VERBOSE:
            self._print(trials, force=True)


def event_line(what: str, trial: str, values: str, detail: str = "") -> str:
    """`HH:MM:SS what trial values  detail`, cut to WIDTH columns."""
    line = f"{time.strftime('%H:%M:%S')} {what:<8} {trial}  {values}".rstrip()
    return _cut(f"{line}  {detail}" if detail else line, WIDTH)


def _error_of(trial) -> str:
    from gwin.tune.driver_callback import trial_error_line

    try:
        return trial_error_line(trial)
    except Exception:  # noqa: BLE001 - the console never stops a study
        return "an error (see the trial's error.txt under STUDY/tune)"


def _metric(result: dict[str, Any] | None) -> str:
    value = (result or {}).get(VAL_GAIN)
    return "-" if value is None else f"{float(value):+.2f}"


__all__ = ["StudyProgress", "event_line", "render", "stage"]
