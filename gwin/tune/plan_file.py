"""STUDY/plan.json: what a study was started with, so that --resume with other flags is
refused before anything runs (Tune restores the stored study whatever the flags say); and
STUDY/config.yaml, its effective settings, to run it again with --config."""

from __future__ import annotations

import argparse
import json
from typing import Any

from gwin.config_file import CONFIG_FILE, config_yaml
from gwin.errors import GwinError
from gwin.store.location import (
    OUTPUTS_DIR,
    Folder,
    exists,
    list_dirs,
    read_json,
    write_bytes,
    write_json,
)
from gwin.tune.study_console import command_line

PLAN_FILE = "plan.json"


def check_same_plan(
    study: Folder, plan: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any] | None:
    """--resume continues the stored study (Tune restores it, whatever the flags say), so flags
    describing another one are refused here, against STUDY/plan.json, before anything runs.
    With --extend (a grid) the flags may add trials, never drop one. Returns the stored plan.

    `plan` is {"trial_ids": [...]} for a grid, {"search": {...}} (space, shared settings,
    samples and seeds) for an Optuna search."""
    plan_file = study.path(PLAN_FILE)
    extend = getattr(args, "extend", False)
    if (args.resume or extend) and exists(study.fs, plan_file):
        stored = read_json(study.fs, plan_file)
        wanted, had = set(plan.get("trial_ids", [])), set(stored.get("trial_ids", []))
        if "trial_ids" in plan and extend and had - wanted:
            raise GwinError(
                f"--extend keeps every trial of the stored study, and these flags drop "
                f"{len(had - wanted)} of its {len(had)} (a study only grows; see "
                f"{study.location_of(PLAN_FILE)}); give a grid that holds them all, or start "
                "another study with --name"
            )
        if "trial_ids" in plan and not extend and had != wanted:
            detail = (
                f"{len(wanted - had)} trials not in it, {len(had - wanted)} of its not asked for"
                + ("; to add trials to it, pass --extend" if had < wanted else "")
            )
        elif "search" in plan and stored.get("search") != _jsonable(plan["search"]):
            detail = "another search space, settings, sample count or seeds"
        else:
            return stored
        raise GwinError(
            f"--resume with other settings than the stored study ({detail}); resume with its "
            f"original flags (see {study.location_of(PLAN_FILE)}) or start another study with "
            "--name"
        )
    foreign = set(list_dirs(study.fs, study.path(OUTPUTS_DIR))) - set(plan.get("trial_ids", []))
    if "trial_ids" in plan and foreign and not extend:  # a study from before plan.json
        raise GwinError(
            f"--resume with other settings than the stored study: {len(foreign)} of its "
            "trials are not in the grid these flags describe; resume with its original flags, "
            "or start another study with --name"
        )
    return None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def write_plan(
    study: Folder, plan: dict[str, Any], argv: list[str] | None, settings: dict[str, Any]
) -> None:
    """plan.json and config.yaml (the effective settings, gwin.config_file), once: a resumed
    study keeps the ones it started with; a study that grew (--extend) gets the grown ones,
    plan.json with the command of each extension."""
    # Written once Ray is up: a start that fails earlier leaves an empty, reusable folder.
    path = study.path(PLAN_FILE)
    stored = read_json(study.fs, path) if exists(study.fs, path) else None
    command = command_line(argv, False)
    if stored is None:
        record = {**_jsonable(plan), "command": command}
    elif set(stored.get("trial_ids", [])) != set(plan.get("trial_ids", [])):
        extended = [*stored.get("extended", []), command]
        record = {**stored, **_jsonable(plan), "extended": extended}
    else:
        return
    write_bytes(study.fs, study.path(CONFIG_FILE), config_yaml(settings).encode())
    write_json(study.fs, path, record)
