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


def check_same_plan(study: Folder, plan: dict[str, Any], args: argparse.Namespace) -> None:
    """--resume continues the stored study (Tune restores it, whatever the flags say), so flags
    describing another one are refused here, against STUDY/plan.json, before anything runs.

    `plan` is {"trial_ids": [...]} for a grid, {"search": {...}} (space, shared settings,
    samples and seeds) for an Optuna search."""
    plan_file = study.path(PLAN_FILE)
    if args.resume and exists(study.fs, plan_file):
        stored = read_json(study.fs, plan_file)
        if "trial_ids" in plan and set(stored.get("trial_ids", [])) != set(plan["trial_ids"]):
            wanted, had = set(plan["trial_ids"]), set(stored.get("trial_ids", []))
            detail = (
                f"{len(wanted - had)} trials not in it, {len(had - wanted)} of its not asked for"
            )
        elif "search" in plan and stored.get("search") != _jsonable(plan["search"]):
            detail = "another search space, settings, sample count or seeds"
        else:
            return
        raise GwinError(
            f"--resume with other settings than the stored study ({detail}); resume with its "
            f"original flags (see {study.location_of(PLAN_FILE)}) or start another study with "
            "--name"
        )
    foreign = set(list_dirs(study.fs, study.path(OUTPUTS_DIR))) - set(plan.get("trial_ids", []))
    if "trial_ids" in plan and foreign:  # a study from before plan.json existed
        raise GwinError(
            f"--resume with other settings than the stored study: {len(foreign)} of its "
            "trials are not in the grid these flags describe; resume with its original flags, "
            "or start another study with --name"
        )


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def write_plan(
    study: Folder, plan: dict[str, Any], argv: list[str] | None, settings: dict[str, Any]
) -> None:
    """plan.json and config.yaml (the effective settings, gwin.config_file), both once: a
    resumed study keeps the ones it started with."""
    # Written once Ray is up: a start that fails earlier leaves an empty, reusable folder.
    if not exists(study.fs, study.path(PLAN_FILE)):
        record = {**_jsonable(plan), "command": command_line(argv, False)}
        write_bytes(study.fs, study.path(CONFIG_FILE), config_yaml(settings).encode())
        write_json(study.fs, study.path(PLAN_FILE), record)
