"""The one exception type users see (a single line saying what is wrong and how to fix it) and
the one place that turns it into an exit status, for every command line gwin has."""

from __future__ import annotations

import argparse
import functools
import io
import os
import re
import select
import sys
from collections.abc import Callable, Iterable
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class GwinError(ValueError):
    """Bad input or environment; the message is one line with the fix."""

    exit_code = EXIT_USAGE


class TrialDiverged(GwinError):
    """A trial's losses stopped being finite: a result of its settings, not bad input, and
    running it again from a checkpoint would diverge again."""

    exit_code = EXIT_FAILED


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad flag is one GwinError line (exit 2) instead of usage + message."""

    def error(self, message: str):
        # "argument --datasets: invalid choice: 'x' (choose from 'a', 'b')" says what the
        # library's own check says: "unknown dataset 'x'; choose one of a, b"
        choice = re.fullmatch(
            r"argument --([\w-]+): invalid choice: (.+) \(choose from (.+)\)", message
        )
        if choice:
            flag, value, options = choice.groups()
            name = flag.replace("-", " ").removesuffix("s")
            options = ", ".join(o.strip().strip("'") for o in options.split(","))
            raise GwinError(f"unknown {name} {value}; choose one of {options}")
        unknown = re.fullmatch(r"unrecognized arguments: (.+)", message)
        if unknown:
            flags = [w for w in unknown.group(1).split() if w.startswith("--")]
            known = [o for o in self._option_string_actions if o.startswith("--")]
            hints = [n for f in flags if (n := nearest(f.split("=")[0], known))]
            if hints and len(hints) == len(flags):  # a guess for each: say them
                raise GwinError(f"{message}; did you mean {', '.join(hints)}? (see --help)")
        raise GwinError(f"{message} (see --help)")


def nearest(name: str, choices: Iterable[str]) -> str:
    """The choice closest to a mistyped `name` ("" if none is close): for "did you mean"."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for a mistyped name, or "" when nothing is close."""
    guess = nearest(name, choices)
    return f"; did you mean {guess!r}?" if guess else ""


def _stdout_closed() -> bool:
    """True if stdout is a pipe whose reader left (`... | head`); stdout then goes to /dev/null,
    so that Python's final flush at exit does not raise again."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return False  # a replaced stdout (a notebook, a test's capture)
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(fd, 0)  # the write end of a pipe without readers reports POLLERR
    if not any(events & select.POLLERR for _, events in poller.poll(0)):
        return False
    os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
    return True


def command(
    on_interrupt: Callable[[dict[str, Any]], str] | None = None,
) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Decorate a main function: a GwinError prints "error: <line>" and exits 2; Ctrl+C prints
    `on_interrupt(kwargs)` (e.g. the command that resumes) and exits 130; output into a closed
    pipe ends quietly with 1. Any other exception is a bug and keeps its traceback."""

    def decorate(main: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(main)
        def wrapped(*args: Any, **kwargs: Any) -> int:
            try:
                return main(*args, **kwargs)
            except GwinError as err:
                print(f"error: {err}", file=sys.stderr)
                return err.exit_code
            except KeyboardInterrupt:
                message = on_interrupt(kwargs) if on_interrupt else "interrupted"
                print(message, file=sys.stderr)
                return EXIT_INTERRUPTED
            except BrokenPipeError:
                if not _stdout_closed():
                    raise  # another pipe (a subprocess, a socket): a real failure
                return EXIT_FAILED

        return wrapped

    return decorate
