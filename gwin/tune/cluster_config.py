"""Check a Ray cluster-launcher YAML before `ray up`: Ray's own schema, then this project's rules.

Ray validates a cluster file only inside `ray up`, after it has already talked to the cloud, so a
typo costs a failed launch. `validate_cluster_yaml` runs the same two functions `ray up` runs
(`prepare_config` fills in the provider's defaults, `validate_config` checks the JSON schema) and
then the security rules the files in `cluster/` promise:

- no credentials or account ids in the file (placeholders such as `REPLACE_WITH_...` instead);
- the dashboard, and with it the job server, bound to 127.0.0.1 on the head (reach it through
  `ray dashboard`, i.e. SSH port forwarding), never 0.0.0.0;
- token authentication on every node: each `ray start` runs with `RAY_AUTH_MODE=token`, and the
  token file is copied to every node through `file_mounts`;
- trials at a fair CPU share: each `ray start` sets `RAY_worker_niceness=0` (Ray's default 15
  lets any other process on a node starve the trials).

Run `python -m gwin.tune.cluster_config cluster/aws-gpu.yaml --require-filled` after filling a
file in; `--require-filled` also fails while a `REPLACE_...` placeholder is left.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gwin.errors import GwinError

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
TOKEN_TARGET_SUFFIX = ".ray/auth_token"
PLACEHOLDER = re.compile(r"\bREPLACE_[A-Z0-9_]+")

# Patterns of things that must never be committed in a cluster file.
SECRET_PATTERNS: dict[str, re.Pattern[str]] = {
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "an AWS secret key setting": re.compile(r"aws_secret_access_key", re.IGNORECASE),
    "an AWS account id (12 digits)": re.compile(r"(?<![\w.-])\d{12}(?![\w.-])"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a GCP service-account key": re.compile(r"\"?private_key_id\"?\s*:"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "a literal Ray auth token": re.compile(r"RAY_AUTH_TOKEN\s*=\s*['\"]?[A-Za-z0-9]"),
}


def _ray_validators() -> tuple[Callable[[dict], dict], Callable[[dict], None]]:
    """Ray's private validators, imported in one place so a move in Ray fails with one message."""
    try:
        from ray.autoscaler._private.util import prepare_config, validate_config
    except ImportError as e:
        import ray

        raise GwinError(
            f"ray {ray.__version__} no longer has ray.autoscaler._private.util.prepare_config/"
            "validate_config; find where `ray up` validates configs and update "
            "gwin.tune.cluster_config._ray_validators"
        ) from e
    return prepare_config, validate_config


def load_cluster_yaml(path: str | Path) -> dict[str, Any]:
    """The YAML file as a dict (a GwinError if it is missing or not a mapping)."""
    path = Path(path)
    if not path.is_file():
        raise GwinError(f"cluster file {path} does not exist; pass a file from cluster/")
    config = yaml.safe_load(path.read_text())
    if not isinstance(config, dict):
        raise GwinError(f"{path} is not a YAML mapping; start from a file in cluster/")
    return config


def _start_commands(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(section, command) for every command that starts Ray on a node."""
    out = []
    for section in ("head_start_ray_commands", "worker_start_ray_commands"):
        for cmd in config.get(section) or []:
            if "ray start" in " ".join(str(cmd).split()):
                out.append((section, " ".join(str(cmd).split())))
    return out


def security_problems(config: dict[str, Any], text: str = "") -> list[str]:
    """Every way `config` (and its raw `text`) breaks the rules in this module's docstring."""
    problems = []
    for what, pattern in SECRET_PATTERNS.items():
        if pattern.search(text):
            problems.append(f"contains {what}; use a REPLACE_... placeholder with a comment")
    starts = _start_commands(config)
    if not any(section == "head_start_ray_commands" for section, _ in starts):
        problems.append("head_start_ray_commands has no `ray start --head`")
    for section, cmd in starts:
        if "RAY_AUTH_MODE=token" not in cmd:
            problems.append(f"{section}: `{cmd}` does not set RAY_AUTH_MODE=token")
        if "RAY_worker_niceness=0" not in cmd:  # Ray's 15 starves trials (docs/performance.md)
            problems.append(f"{section}: `{cmd}` does not set RAY_worker_niceness=0")
        if "0.0.0.0" in cmd:
            problems.append(f"{section}: `{cmd}` binds to all interfaces")
        if "--head" in cmd:
            host = re.search(r"--dashboard-host[= ](\S+)", cmd)
            if host is None or host.group(1).strip("'\";") not in LOOPBACK_HOSTS:
                problems.append(f"{section}: `ray start --head` needs --dashboard-host=127.0.0.1")
    if "RAY_AUTH_MODE=disabled" in text:
        problems.append("sets RAY_AUTH_MODE=disabled; keep token authentication on")
    mounts = config.get("file_mounts") or {}
    if not any(str(target).endswith(TOKEN_TARGET_SUFFIX) for target in mounts):
        problems.append(
            f"file_mounts does not copy the auth token (a target ending in {TOKEN_TARGET_SUFFIX})"
        )
    return problems


def validate_cluster_yaml(
    path: str | Path, *, security: bool = True, require_filled: bool = False
) -> dict[str, Any]:
    """Ray's `prepare_config` + `validate_config` on `path`, then the security rules.

    Returns the prepared config (provider defaults filled in), as `ray up` would use it. Raises a
    GwinError naming the file and every problem found. `require_filled` also rejects placeholders
    left in (use it on your filled-in copy, not on the templates).
    """
    path = Path(path)
    text = path.read_text() if path.is_file() else ""
    config = load_cluster_yaml(path)
    prepare_config, validate_config = _ray_validators()
    try:
        prepared = prepare_config(config)
        validate_config(prepared)
    except Exception as e:  # jsonschema, ValueError, click's abort: all mean "Ray rejects it"
        first = (str(e) or type(e).__name__).strip().splitlines()[0]
        raise GwinError(f"{path}: Ray rejects this cluster config: {first}") from e
    problems = security_problems(prepared, text) if security else []
    if require_filled:
        left = sorted(set(PLACEHOLDER.findall(_without_comments(text))))
        if left:
            problems.append(f"placeholders left to fill in: {', '.join(left)}")
    if problems:
        raise GwinError(f"{path}: " + "; ".join(problems))
    return prepared


def _without_comments(text: str) -> str:
    # Placeholders in comments are examples, not settings.
    lines = (line.split(" #")[0] for line in text.splitlines())
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="cluster YAML files")
    parser.add_argument(
        "--require-filled", action="store_true", help="also fail on REPLACE_... placeholders"
    )
    args = parser.parse_args(argv)
    status = 0
    for f in args.files:
        try:
            validate_cluster_yaml(f, require_filled=args.require_filled)
            print(f"ok: {f}")
        except GwinError as e:
            print(f"error: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
