"""The `gwin` command (also `python -m gwin`): one entry point whose subcommands run a trial,
a study, the analysis and the model tools. Each subcommand parses its own flags, so
`gwin SUBCOMMAND --help` is that command's full help; `gwin --help` lists them."""

from __future__ import annotations

import sys
from collections.abc import Callable

from gwin.errors import EXIT_USAGE, GwinError, command, did_you_mean

DISTRIBUTION = "gwin-studies"  # what `pip install` takes; the import and the command are `gwin`


def _lazy(module: str, function: str) -> Callable[[list[str]], int]:
    """A subcommand that imports its module only when run (torch and Ray cost seconds)."""

    def run(argv: list[str]) -> int:
        import importlib

        return getattr(importlib.import_module(module), function)(argv)

    return run


def _study(argv: list[str]) -> int:
    from gwin.studies import STUDIES, run, summary

    if not argv or argv[0] in ("-h", "--help"):
        width = max(map(len, STUDIES))
        lines = [f"  {name:<{width}}  {summary(name)}" for name in STUDIES]
        text = "usage: gwin study NAME [options]   (gwin study NAME --help: its flags)\n\n"
        text += "studies:\n" + "\n".join(lines) + "\n"
        (sys.stdout if argv else sys.stderr).write(text)
        return 0 if argv else EXIT_USAGE
    if argv[0] not in STUDIES:
        hint = did_you_mean(argv[0], STUDIES)
        raise GwinError(f"unknown study {argv[0]!r}{hint}; choose one of {', '.join(STUDIES)}")
    return run(argv[0], argv[1:])


# name -> (what it does, how it runs); the order is the order of a research session
SUBCOMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "trial": (
        "run one GWIN trial and write its Parquet results and model",
        _lazy("gwin.cli", "trial_main"),
    ),
    "classifier": (
        "train (or load) C and its P_c; print them beside the paper's",
        _lazy("gwin.cli", "classifier_main"),
    ),
    "study": ("run a Ray Tune study by name (`gwin study --help` lists them)", _study),
    "sweep": (
        "a Ray Tune grid over any trial fields (--grid FIELD=V1,V2 or --spec FILE.yaml)",
        _lazy("gwin.tune.sweep", "main"),
    ),
    "tables": (
        "mean ± std tables of a study (Tables 1 and 2, curves)",
        _lazy("gwin.analysis.tables", "main"),
    ),
    "plots": ("the paper's figures and more, as image files", _lazy("gwin.analysis.plots", "main")),
    "budget": (
        "the gain against the training budget from per-trial rows of several studies",
        _lazy("gwin.analysis.budget", "main"),
    ),
    "gains": (
        "both gains against the budget from runs' committed per-trial rows, a panel per dataset",
        _lazy("gwin.analysis.gains", "main"),
    ),
    "paper-check": (
        "every cell of the paper's Tables 1 and 2 a study covers, ours beside it, with a verdict",
        _lazy("gwin.analysis.paper_check", "main"),
    ),
    "report": ("one self-contained HTML report of a study", _lazy("gwin.analysis.report", "main")),
    "apply": ("label new images with a trained GWIN (Figure 1)", _lazy("gwin.apply", "apply_main")),
    "upgrade": (
        "convert a study of an older results schema in place",
        _lazy("gwin.store.upgrade", "main"),
    ),
}


def usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, (text, _) in SUBCOMMANDS.items())
    return (
        "usage: gwin SUBCOMMAND [options]   (gwin SUBCOMMAND --help: its flags; gwin --version)\n\n"
        "Hyperparameter studies of Generative Well-intentioned Networks (Cosentino & Zhu, 2019)."
        f"\n\nsubcommands:\n{rows}\n"
    )


@command()
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(usage(), end="")
        return 0
    if argv and argv[0] in ("-V", "--version"):
        from gwin import __version__

        # the import name is gwin; on the package index it is gwin-studies (the name gwin
        # there belongs to an unrelated project)
        print(f"gwin {__version__} (distribution {DISTRIBUTION})")
        return 0
    if not argv:
        sys.stderr.write(usage())
        return EXIT_USAGE
    if argv[0] not in SUBCOMMANDS:
        names, hint = ", ".join(SUBCOMMANDS), did_you_mean(argv[0], SUBCOMMANDS)
        raise GwinError(
            f"unknown subcommand {argv[0]!r}{hint}; choose one of {names} (gwin --help)"
        )
    # argparse names a command after sys.argv[0]: make the help say `gwin tables`, not __main__.py
    sys.argv[0] = " ".join(["gwin", *argv[:2]] if argv[0] == "study" else ["gwin", argv[0]])
    return SUBCOMMANDS[argv[0]][1](argv[1:])
