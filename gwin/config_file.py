"""Config files: a command's flags as a YAML mapping, to keep, diff and run again.

    gwin study budget_curve --datasets fashion_mnist --print-config > budget.yaml
    gwin study budget_curve --config budget.yaml            # the same trials
    gwin study budget_curve --config budget.yaml --seed-list 3   # flags override the file

A file holds `command` (which command it is for) and one key per flag, spelled as the flag's
name with underscores (`lambda_loss: 10.0`) or dashes. --print-config writes every setting the
run would use, TrialConfig fields resolved under the preset and the study's defaults, so the
file does not depend on preset values that a later version may change. The file's values are
checked as the flags are (types and choices), and command-line flags win over the file. Every
study writes its effective config to STUDY/config.yaml when it starts.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gwin.config import config_field_names, jsonable
from gwin.config_flags import effective_defaults
from gwin.errors import GwinError

CONFIG_FILE = "config.yaml"  # a study's effective config, beside its results
# Flags about this invocation, not about what runs: never written to a config file.
NOT_SETTINGS = {"help", "config", "print_config", "resume", "dry_run", "overwrite"}


def add_config_file_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("config file")
    g.add_argument(
        "--config",
        metavar="FILE.yaml",
        default=None,
        help="read settings from this YAML file (as --print-config writes it); flags override it",
    )
    g.add_argument(
        "--print-config",
        action="store_true",
        help="print the effective settings as YAML (a file for --config) and exit",
    )


def _config_path(argv: list[str]) -> str | None:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config", default=None)
    known, _ = pre.parse_known_args(argv)
    return known.config


def _settings(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """dest -> action of every flag a config file may set."""
    return {
        a.dest: a
        for a in parser._actions  # argparse has no public list of a parser's actions
        if a.option_strings and a.dest not in NOT_SETTINGS and a.help != argparse.SUPPRESS
    }


def _is_flag(action: argparse.Action) -> bool:
    return isinstance(action, argparse.BooleanOptionalAction) or action.nargs == 0


def _check_one(value: Any, action: argparse.Action, where: str) -> Any:
    kind = action.type
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise GwinError(f"{where}: expected a whole number, got {value!r}")
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise GwinError(f"{where}: expected a number, got {value!r}")
        value = float(value)
    if kind in (None, str) and not isinstance(value, str):
        raise GwinError(f"{where}: expected text, got {value!r}")
    if action.choices is not None and value not in action.choices:
        options = ", ".join(map(str, action.choices))
        raise GwinError(f"{where}: unknown value {value!r}; choose one of {options}")
    return value


def _checked(key: str, value: Any, action: argparse.Action, source: str) -> Any:
    where = f"{source}: {key}"
    if value is None:
        return None
    if _is_flag(action):
        if not isinstance(value, bool):
            raise GwinError(f"{where}: expected true or false, got {value!r}")
        return value
    if action.nargs in ("+", "*"):
        if not isinstance(value, list):
            raise GwinError(f"{where}: expected a list, e.g. [{value!r}], got {value!r}")
        return [_check_one(v, action, where) for v in value]
    if isinstance(value, list | dict):
        raise GwinError(f"{where}: expected one value, got {value!r}")
    return _check_one(value, action, where)


def read_config(path: str, parser: argparse.ArgumentParser, command: str) -> dict[str, Any]:
    """The file's settings as parser defaults (dest -> value), each checked like its flag."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as err:
        raise GwinError(f"--config {path}: cannot read it ({err.strerror or err})") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise GwinError(f"--config {path}: not valid YAML{at}") from err
    if not isinstance(data, dict):
        raise GwinError(f"--config {path}: expected a mapping of settings, e.g. 'seeds: [0, 1]'")
    data = dict(data)
    made_for = data.pop("command", command)
    if made_for != command:
        raise GwinError(
            f"--config {path} is for `gwin {made_for}`, not `gwin {command}`; "
            f"run it with `gwin {made_for} --config {path}`"
        )
    actions = _settings(parser)
    out = {}
    for key, value in data.items():
        dest = str(key).replace("-", "_")
        if dest not in actions:
            close = difflib.get_close_matches(dest, actions, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; see --help for the settings"
            raise GwinError(f"--config {path}: unknown setting {key!r}{hint}")
        out[dest] = _checked(str(key), value, actions[dest], f"--config {path}")
    return out


def parse_with_config(
    parser: argparse.ArgumentParser, argv: list[str] | None, command: str
) -> argparse.Namespace:
    """parse_args, with the --config file's settings as defaults (flags override them)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    path = _config_path(argv)
    if path is not None:
        parser.set_defaults(**read_config(path, parser, command))
    return parser.parse_args(argv)


def effective_config(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    command: str,
    defaults: Mapping[str, Any] | None = None,
    owned: Iterable[str] = (),
) -> dict[str, Any]:
    """Every setting of `args`, TrialConfig fields left unset resolved under the preset and
    `defaults` (a study's own); `owned` fields (set by the study's grid) stay out."""
    resolved = {**effective_defaults(getattr(args, "preset", "smoke")), **(defaults or {})}
    fields, owned = set(config_field_names()), set(owned)
    out: dict[str, Any] = {"command": command}
    for dest in _settings(parser):
        value = getattr(args, dest)
        if value is None and dest in fields and dest not in owned:
            value = resolved.get(dest)
        if value is not None:
            out[dest] = jsonable(value)
    return out


def config_yaml(config: Mapping[str, Any]) -> str:
    import yaml

    header = f"# gwin {config['command']} --config THIS_FILE runs these settings again\n"
    return header + yaml.safe_dump(dict(config), sort_keys=False, default_flow_style=None)
