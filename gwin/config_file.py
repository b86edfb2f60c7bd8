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
from typing import Any

from gwin.config import ALL, config_field_names, jsonable
from gwin.config_checks import shown as _shown
from gwin.config_flags import effective_defaults, whole_or_all
from gwin.errors import GwinError

CONFIG_FILE = "config.yaml"  # a study's effective config, beside its results
# Flags about this invocation, not about what runs: never written to a config file.
NOT_SETTINGS = {"help", "config", "print_config", "resume", "dry_run", "overwrite", "verbosity"}


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
    if kind is whole_or_all:
        if value == ALL or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise GwinError(f"{where}: expected a whole number or {ALL}, got {_shown(value)}")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise GwinError(f"{where}: expected a whole number, got {_shown(value)}")
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise GwinError(f"{where}: expected a number, got {_shown(value)}")
        value = float(value)
    if kind in (None, str) and not isinstance(value, str):
        raise GwinError(f"{where}: expected text, got {_shown(value)}")
    if action.choices is not None and value not in action.choices:
        options = ", ".join(map(str, action.choices))
        raise GwinError(f"{where}: unknown value {_shown(value)}; choose one of {options}")
    return value


def _checked(key: str, value: Any, action: argparse.Action, source: str) -> Any:
    where = f"{source}: {key}"
    if value is None:
        return None
    if _is_flag(action):
        if not isinstance(value, bool):
            raise GwinError(f"{where}: expected true or false, got {_shown(value)}")
        return value
    if action.nargs in ("+", "*"):
        if not isinstance(value, list):
            raise GwinError(
                f"{where}: expected a list, e.g. [{_shown(value)}], got {_shown(value)}"
            )
        return [_check_one(v, action, where) for v in value]
    if isinstance(value, list | dict):
        raise GwinError(f"{where}: expected one value, got {_shown(value)}")
    return _check_one(value, action, where)


# Limits of a config file: one --print-config writes is about 2 KB, with no aliases and a depth
# of 2. Far above that is not a config file, and unbounded it hangs or crashes the reader: a
# "billion laughs" of nested aliases stands for 9**9 values (and any repr of it never ends), a
# deeply nested list overflows the YAML composer's recursion.
MAX_BYTES = 1 << 20
MAX_ALIASES = 32
MAX_DEPTH = 20
MAX_NODES = 100_000  # values the file stands for, every alias expanded


class _Refused(Exception):
    """A limit of the file's YAML, raised inside the loader; becomes one GwinError line."""


def _yaml_loader() -> type:
    import yaml

    class Limited(yaml.SafeLoader):
        """SafeLoader (no Python objects) that counts aliases and depth while composing."""

        aliases = depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise _Refused(f"uses more than {MAX_ALIASES} aliases (*name)")
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise _Refused(f"is nested deeper than {MAX_DEPTH} levels")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return Limited


def _check_nodes(root: Any) -> None:
    """Refuse a mapping that sets one key twice (YAML keeps the last silently, so a file
    would run with a value its reader did not see) and aliases that expand past MAX_NODES."""
    import yaml

    sizes: dict[int, int] = {}

    def size(node: Any) -> int:  # memoised: an alias is one node object, shared
        if id(node) not in sizes:
            sizes[id(node)] = 1  # a cycle (an alias to its own parent) counts once
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key, _ in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value in seen:
                        raise _Refused(
                            f"sets {key.value!r} twice (lines {seen[key.value]} and "
                            f"{key.start_mark.line + 1}); keep one"
                        )
                    if isinstance(key, yaml.ScalarNode):
                        seen[key.value] = key.start_mark.line + 1
                children = [n for pair in node.value for n in pair]
            else:
                children = node.value if isinstance(node, yaml.SequenceNode) else []
            sizes[id(node)] = 1 + sum(size(child) for child in children)
            if sizes[id(node)] > MAX_NODES:
                raise _Refused(f"holds more than {MAX_NODES} values once its aliases expand")
        return sizes[id(node)]

    size(root)


def load_yaml(path: str) -> Any:
    """The YAML document in `path`, read within the limits above; GwinError if not."""
    import yaml

    try:
        with open(path, "rb") as handle:
            blob = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise GwinError(f"--config {path}: cannot read it ({err.strerror or err})") from err
    if len(blob) > MAX_BYTES:
        raise GwinError(f"--config {path} is larger than {MAX_BYTES} bytes; not a config file")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as err:
        raise GwinError(
            f"--config {path} is not UTF-8 text (byte {blob[err.start]:#04x} at offset "
            f"{err.start}); save it as UTF-8"
        ) from err
    try:
        return _compose_and_construct(text)
    except (ValueError, TypeError, AttributeError, OverflowError) as err:
        # PyYAML's constructors raise these for a scalar its tag cannot hold
        # ("seed: 2020-99-99" is a date with month 99, "!!int 0x" no number)
        first = (str(err).splitlines() or [type(err).__name__])[0][:80]
        raise GwinError(f"--config {path}: a value is not valid YAML ({first})") from None
    except _Refused as err:
        raise GwinError(f"--config {path} {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise GwinError(f"--config {path}: not valid YAML{at}") from err


def _compose_and_construct(text: str) -> Any:
    loader = _yaml_loader()(text)  # raises ReaderError on a control character in the text
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_config(path: str, parser: argparse.ArgumentParser, command: str) -> dict[str, Any]:
    """The file's settings as parser defaults (dest -> value), each checked like its flag."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise GwinError(f"--config {path}: expected a mapping of settings, e.g. 'seeds: [0, 1]'")
    data = dict(data)
    made_for = data.pop("command", command)
    if made_for != command:
        if not isinstance(made_for, str) or len(made_for) > 60:
            raise GwinError(f"--config {path}: command {_shown(made_for)} is no gwin command")
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
            raise GwinError(f"--config {path}: unknown setting {_shown(key)}{hint}")
        if dest in out:  # lambda_loss and lambda-loss: one setting, given twice
            raise GwinError(f"--config {path} sets {dest!r} twice; keep one")
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
