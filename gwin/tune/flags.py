"""The flags every study accepts and their validation (the trial grid they describe is
gwin.tune.plan's `Plan`).

Bad input raises GwinError with one line, before Ray starts: the parser's own errors included
(`StudyParser.error`), and every TrialConfig of the grid is built once in the driver.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gwin.config import PRESETS
from gwin.config_file import add_config_file_flags, config_yaml, effective_config, parse_with_config
from gwin.config_flags import add_config_flags, preset_in
from gwin.errors import GwinError, OneLineParser
from gwin.faults import Faults
from gwin.names import DATASETS
from gwin.tune.extend import INVOCATION, add_extend_flags, apply_add_seeds, with_study_config
from gwin.tune.plan import Plan, make_plan
from gwin.tune.trackers import add_tracker_flags
from gwin.tune.verbosity import add_verbosity_flags

StudyParser = OneLineParser


@dataclass(frozen=True)
class AxisFlag:
    """A study flag whose values replace one axis of its space (`--lambdas 0 1` for the
    `lambda_loss` axis); its default is the axis as the study declares it."""

    flag: str
    field: str  # the TrialConfig field of the axis
    help: str  # what the values are
    type: Callable[[str], Any] = float
    choices: tuple[Any, ...] | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def add_to(self, parser: argparse.ArgumentParser, default: list[Any]) -> None:
        shown = " ".join(format(v, "g") if isinstance(v, float) else str(v) for v in default)
        parser.add_argument(
            self.flag,
            type=self.type,
            nargs="+",
            choices=self.choices,
            default=list(default),
            help=f"{self.help} (default: {shown})",
        )


def build_parser(
    name: str,
    description: str,
    *,
    datasets: Iterable[str],
    preset: str,
    seeds: int,
    space_keys: Iterable[str],
    defaults: dict[str, Any] | None = None,
    argv: list[str] | None = None,
) -> StudyParser:
    """The study's parser; `argv` only picks the --preset whose defaults the help shows."""
    parser = StudyParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    g = parser.add_argument_group("study")
    g.add_argument(
        "--storage",
        default="runs",
        help="where studies live: a local or NFS folder, or a pyarrow.fs URI such as "
        "s3://bucket/prefix (default: ./runs)",
    )
    g.add_argument("--name", default=name, help=f"study name (default: {name})")
    g.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted study: finished trials are kept, unfinished "
        "ones resume from their checkpoints, errored ones are retried",
    )
    g.add_argument(
        "--dry-run",
        action="store_true",
        help="print the trial grid and the resources it asks for, then exit",
    )
    g.add_argument(
        "--address",
        default=None,
        help="connect to a running Ray cluster (host:port, ray://host:port or auto); "
        "default: start Ray on this machine, on 127.0.0.1",
    )
    g.add_argument("--cpus-per-trial", type=float, default=1.0, help="CPUs per trial (default 1)")
    g.add_argument(
        "--gpus-per-trial",
        type=float,
        default=0.0,
        help="GPUs per trial; fractions pack trials (0.25: four per GPU)",
    )
    g.add_argument(
        "--max-failures",
        type=int,
        default=2,
        help="retries per trial, each from its last checkpoint (default 2)",
    )
    g.add_argument(
        "--max-concurrent",
        type=int,
        default=None,
        help="run at most this many trials at once (default: as resources allow)",
    )
    g.add_argument(
        "--preset",
        choices=PRESETS,
        default=preset,
        help=f"settings bundle for every trial (default: {preset})",
    )
    g.add_argument(
        "--datasets",
        nargs="+",
        default=list(datasets),
        choices=DATASETS,
        help=f"datasets (default: {' '.join(datasets)})",
    )
    g.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[seeds],
        help=f"one number: that many seeds 0..N-1; several: those seeds (default: {seeds})",
    )
    g.add_argument(
        "--seed-list",
        nargs="+",
        type=int,
        default=None,
        metavar="SEED",
        help="exactly these seeds, even one (--seed-list 7 runs seed 7 alone); replaces --seeds",
    )
    add_verbosity_flags(g)
    Faults.add_flags(g)
    add_tracker_flags(parser)
    add_config_flags(
        parser,
        skip=("dataset", "seed", "preset", *space_keys),
        preset=preset_in(argv, preset),
        overrides=defaults,
        title_prefix="every trial, over the preset and the study's defaults: ",
    )
    return parser


def check_resources(args: argparse.Namespace) -> None:
    # argparse's float() takes "inf" and "nan"; Ray would take them too and then never
    # schedule a trial (inf) or fail deep in its scheduler (nan)
    for flag in ("cpus_per_trial", "gpus_per_trial"):
        value = getattr(args, flag)
        if not math.isfinite(value):
            bound = "> 0" if flag == "cpus_per_trial" else ">= 0"
            name = "--" + flag.replace("_", "-")
            raise GwinError(f"{name} must be a finite number {bound}, got {value}")
    if args.cpus_per_trial <= 0:
        raise GwinError(f"--cpus-per-trial must be > 0, got {args.cpus_per_trial}")
    if args.gpus_per_trial < 0:
        raise GwinError(f"--gpus-per-trial must be >= 0, got {args.gpus_per_trial}")
    if args.gpus_per_trial > 1 and args.gpus_per_trial != int(args.gpus_per_trial):
        raise GwinError(f"--gpus-per-trial above 1 must be whole, got {args.gpus_per_trial}")
    if args.max_failures < 0:
        raise GwinError(f"--max-failures must be >= 0, got {args.max_failures}")
    if args.max_concurrent is not None and args.max_concurrent < 1:
        raise GwinError(f"--max-concurrent must be >= 1, got {args.max_concurrent}")


def parse_study(
    name: str,
    description: str,
    space: dict[str, list[Any]],
    *,
    defaults: dict[str, Any],
    datasets: Iterable[str],
    preset: str,
    seeds: int,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None,
    axis_flags: Iterable[AxisFlag],
    argv: list[str] | None,
    searched: Iterable[str] = (),
    variants: dict[str, dict[str, Any]] | None = None,
    extendable: bool = False,
) -> tuple[argparse.Namespace, Plan]:
    """Parse and validate; `searched` fields and the fields `variants` set get no override flag
    (the search or the study owns them). An `extendable` study (a grid) takes --extend and
    --add-seeds (gwin.tune.extend)."""
    owned = {key for overrides in (variants or {}).values() for key in overrides}
    parser = build_parser(
        name,
        description,
        datasets=datasets,
        preset=preset,
        seeds=seeds,
        space_keys=[*space, *searched, *sorted(owned)],
        defaults=defaults,
        argv=sys.argv[1:] if argv is None else argv,
    )
    if variants:
        parser.add_argument(
            "--variants",
            nargs="+",
            choices=list(variants),
            default=list(variants),
            metavar="NAME",
            help=f"run only these variants, of {', '.join(variants)} (default: all)",
        )
    if add_arguments is not None:
        add_arguments(parser)
    axis_flags = tuple(axis_flags)
    for axis in axis_flags:
        if axis.field not in space:
            raise GwinError(f"{axis.flag} replaces the axis {axis.field!r}, which the study lacks")
        axis.add_to(parser, space[axis.field])
    add_config_file_flags(parser)
    if extendable:
        add_extend_flags(parser)
        argv = with_study_config(argv, name)
    args = parse_with_config(parser, argv, f"study {name}")
    if extendable:
        apply_add_seeds(args)
    if variants:
        if len(set(args.variants)) != len(args.variants):
            raise GwinError(f"--variants {' '.join(args.variants)} repeats a variant")
        variants = {name: variants[name] for name in args.variants}
    space = {**space, **{axis.field: getattr(args, axis.dest) for axis in axis_flags}}
    check_resources(args)
    if not args.name or "/" in args.name or args.name.startswith("."):
        raise GwinError(f"--name {args.name!r} must be a plain folder name")
    plan = make_plan(args, space, defaults, variants)
    # What STUDY/config.yaml records (gwin.tune.plan_file) and --print-config shows.
    args.settings = effective_config(parser, args, f"study {name}", defaults)
    args.settings.pop("seeds" if args.seed_list is not None else "seed_list", None)
    for invocation in INVOCATION:  # about this run, not what it computes
        args.settings.pop(invocation, None)
    if args.print_config:
        sys.stdout.write(config_yaml(args.settings))
        raise SystemExit(0)
    return args, plan
