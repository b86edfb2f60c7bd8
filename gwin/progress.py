"""Progress bars for the long stages (C's certainties for P_c, evaluation, the index, the
report), on a terminal only: a study's workers, CI logs and pipes get none, as the training
bar (gwin.method.train_callbacks.ProgressBar). Updates count inputs or items already known on the
host, so a bar never waits for the device. `note` writes a trial's `[gwin]` lines."""

from __future__ import annotations

import sys
from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def bar(total: int, desc: str, enabled: bool | None = None, unit: str = "input") -> Any:
    """A tqdm bar (a context manager with `update(n)`) when `enabled`, or when it is None and
    stderr is a terminal; otherwise one that prints nothing."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        return _Silent()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, leave=False)


def note(enabled: bool, message: str) -> None:
    """One `[gwin] message` line on stderr, when `enabled` (a trial's `cfg.progress`)."""
    if enabled:
        print(f"[gwin] {message}", file=sys.stderr, flush=True)
