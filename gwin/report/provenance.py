"""Where a table's numbers were computed: devices, thread counts and seeds, from the trials rows.

CPU results differ in their last digits between 1 and 2 threads and between machines (a trial's
classifier is trained by summing in another order), so every table says what it came from."""

from __future__ import annotations

import pandas as pd


def ran_on(trials: pd.DataFrame) -> str:
    """One line, e.g. "Ran on: cpu at 2 threads (4 trials); seeds 0, 1." over the ok trials."""
    ok = trials[trials["status"] == "ok"] if "status" in trials.columns else trials
    if ok.empty:
        return "Ran on: no finished trial."
    device = ok["device"] if "device" in ok.columns else pd.Series("unknown", index=ok.index)
    threads = ok["worker_threads"] if "worker_threads" in ok.columns else pd.Series(dtype=float)
    where = pd.DataFrame(
        {
            "device": device.fillna("unknown").astype(str),
            "threads": threads.reindex(ok.index).map(_threads),
        }
    )
    groups = where.groupby(["device", "threads"], sort=True).size()
    parts = [f"{d} at {t} ({n} trial{'s' if n != 1 else ''})" for (d, t), n in groups.items()]
    seeds = sorted({int(s) for s in ok["seed"].dropna()}) if "seed" in ok.columns else []
    seed_text = f"; seed{'s' if len(seeds) != 1 else ''} {', '.join(map(str, seeds))}"
    return f"Ran on: {'; '.join(parts)}{seed_text if seeds else ''}."


def trial_ran_on(trial: pd.Series) -> str:
    """One trial's device and threads as a per-trial row keeps them, e.g. "cpu, 1 thread"."""
    device = trial.get("device")
    device = "unknown device" if device is None or pd.isna(device) else str(device)
    return f"{device}, {_threads(trial.get('worker_threads'))}"


def _threads(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "unrecorded threads"
    n = int(value)  # type: ignore[call-overload]
    return f"{n} thread{'s' if n != 1 else ''}"
