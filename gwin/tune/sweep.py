"""`gwin sweep`: a grid study over any TrialConfig fields, declared on the command line or in a
YAML spec instead of a studies/ script, and run by the same machinery (`study_main`: plan,
--dry-run, --resume, --extend, Tune, the index).

    gwin sweep --grid lambda_loss=0,10 n_critic=2,5 --seeds 2 --dry-run
    gwin sweep --spec sweep.yaml --dry-run

A spec holds a `grid:` section (field -> a list of values, or one value) and any study setting
(as `--print-config` writes them): `seeds: 3` is a count, `seed_list: [2, 5]` those seeds.
--grid values are YAML scalars separated by commas; a field given both ways takes the flag's.
Results go to STORAGE/NAME, default runs/sweep.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any

import yaml

from gwin.config import RUNTIME_FIELDS
from gwin.config_file import _checked, load_yaml, read_config
from gwin.config_flags import add_config_flags
from gwin.errors import GwinError
from gwin.tune.study_console import study_command

NAME = "sweep"
NOT_SWEPT = {"preset": "--preset", "dataset": "--datasets", "seed": "--seeds or --seed-list"}


def _field_actions() -> dict[str, argparse.Action]:
    parser = argparse.ArgumentParser(add_help=False)
    add_config_flags(parser)
    return {a.dest: a for a in parser._actions if a.option_strings}


def grid_axis(field: str, values: Any, source: str) -> list[Any]:
    """One axis of the grid, each value checked like the field's flag."""
    field = str(field).replace("-", "_")
    if field in NOT_SWEPT:
        raise GwinError(
            f"{source}: {field} is an axis of every study; set it with {NOT_SWEPT[field]}"
        )
    actions = _field_actions()
    if field not in actions or field in RUNTIME_FIELDS:
        raise GwinError(
            f"{source}: {field!r} is no TrialConfig field to sweep; see gwin trial --help"
        )
    values = values if isinstance(values, list) else [values]
    if not values:
        raise GwinError(f"{source}: no values for {field}; give at least one")
    return [_checked(field, v, actions[field], source) for v in values]


def _flag_grid(items: list[str]) -> dict[str, list[Any]]:
    grid = {}
    for item in items:
        field, sep, text = item.partition("=")
        if not sep or not field or not text:
            raise GwinError(f"--grid {item!r}: expected FIELD=V1,V2 (e.g. lambda_loss=0,10)")
        values = [yaml.safe_load(v) if v.strip() else v for v in text.split(",")]
        grid[field.replace("-", "_")] = grid_axis(field, values, f"--grid {field}")
    return grid


def _spec(path: str) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """(the spec's grid, its other settings)."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise GwinError(f"--spec {path}: expected a mapping with a 'grid:' section")
    settings = dict(data)
    grid = settings.pop("grid", None) or {}
    if not isinstance(grid, dict):
        raise GwinError(
            f"--spec {path}: 'grid' must map fields to values, e.g. lambda_loss: [0, 10]"
        )
    if isinstance(settings.get("seeds"), int) and not isinstance(settings["seeds"], bool):
        settings["seeds"] = [settings["seeds"]]  # a count, as --seeds N
    source = f"--spec {path}: grid"
    return {str(k).replace("-", "_"): grid_axis(k, v, source) for k, v in grid.items()}, settings


def _spec_defaults(parser: argparse.ArgumentParser, path: str, settings: dict[str, Any]) -> None:
    """The spec's settings as the parser's defaults, checked like a --config file's."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump({"command": f"study {NAME}", **settings}, f)
    try:
        parser.set_defaults(**read_config(f.name, parser, f"study {NAME}"))
    except GwinError as err:
        raise GwinError(str(err).replace(f"--config {f.name}", f"--spec {path}")) from None
    finally:
        os.unlink(f.name)


@study_command
def main(argv: list[str] | None = None) -> int:
    from gwin.tune.runner import study_main

    argv = sys.argv[1:] if argv is None else list(argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--grid", nargs="+", default=[])
    pre.add_argument("--spec", default=None)
    known = pre.parse_known_args(argv)[0]
    grid, settings = _spec(known.spec) if known.spec else ({}, {})
    grid.update(_flag_grid(known.grid))

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        g = parser.add_argument_group("sweep")
        g.add_argument("--grid", nargs="+", metavar="FIELD=V1,V2", default=[],
                       help="an axis per item: a TrialConfig field and its values")  # fmt: skip
        g.add_argument("--spec", metavar="FILE.yaml", default=None,
                       help="a 'grid:' section and study settings (seeds: 3)")  # fmt: skip
        if settings:
            _spec_defaults(parser, str(known.spec), settings)

    return study_main(NAME, grid, description=__doc__ or "", add_arguments=add_arguments,
                      argv=argv)  # fmt: skip


__all__ = ["grid_axis", "main"]
