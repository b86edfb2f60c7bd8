"""The `trials` table: every column with its Arrow type, declared once, and the one assembler of
its rows, for finished and failed trials alike (docs/schema.md, "trials").

A row is built by `trials_row` (every declared column; null where a trial never got that far)
and becomes Arrow through `trials_arrow`, which refuses a column that is not declared here: a
new column is added in this file or nowhere.
"""

from __future__ import annotations

import dataclasses
import json
import time
import typing
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from gwin import __version__
from gwin.config import OUTPUT_FIELDS, RUNTIME_FIELDS, TrialConfig
from gwin.errors import GwinError
from gwin.store.guard import trial_id_problem
from gwin.store.schema import stamp

SPLITS = ("val", "test")
CALIBRATION = ("ece", "nll")
# the sweep columns at tau = 0.8 that the row keeps per split
HEADLINE = (
    "bnn_acc",
    "overall_acc_delta",
    "rejected_acc_delta",
    "identity_rejected_acc_delta",
    "gain_over_identity",
)
# McNemar's paired counts per split, by column prefix: (the verdict after, the verdict before)
PAIRED = {
    "": ("gwin", "bnn"),
    "identity_": ("identity", "bnn"),
    "vs_identity_": ("gwin", "identity"),
}
STAGES = ("data", "classifier", "confident", "gwin", "eval", "total")

_ARROW: dict[Any, pa.DataType] = {
    int: pa.int64(),
    float: pa.float64(),
    str: pa.string(),
    bool: pa.bool_(),
    tuple: pa.string(),  # stored as JSON
}


def _config_types() -> dict[str, pa.DataType]:
    """The result fields of TrialConfig as columns, typed from the dataclass's annotations."""
    hints = typing.get_type_hints(TrialConfig)
    types = {}
    for f in dataclasses.fields(TrialConfig):
        if f.name in RUNTIME_FIELDS | OUTPUT_FIELDS:
            continue
        kind = hints[f.name]
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if typing.get_origin(kind) is not tuple and options:  # X | None
            kind = options[0]
        types[f.name] = _ARROW[typing.get_origin(kind) or kind]
    return types


_S, _I, _F, _B = pa.string(), pa.int64(), pa.float64(), pa.bool_()
TRIALS_TYPES: dict[str, pa.DataType] = {
    "trial_id": _S,
    "study": _S,
    **_config_types(),
    "config_json": _S,
    # what the run learned on the way
    "n_train": _I,
    "n_confident": _I,
    "classifier_cache_hit": _B,
    "confident_cache_hit": _B,
    "resumed_from_iteration": _I,
    "device": _S,
    "final_critic_loss": _F,
    "final_generator_loss": _F,
    # the evaluation's quick-look numbers (gwin.method.trial_eval)
    **{f"{split}_{name}": _F for split in SPLITS for name in CALIBRATION},
    **{
        column: kind
        for split in SPLITS
        for column, kind in (
            *((f"{split}_{name}", _F) for name in HEADLINE),
            *(
                (f"{split}_{prefix}{count}", kind)
                for prefix in PAIRED
                for count, kind in (("fixed", _I), ("broken", _I), ("mcnemar_p", _F))
            ),
        )
    },
    "gwin_version": _S,
    "status": _S,
    "error": _S,
    **{f"seconds_{stage}": _F for stage in STAGES},
    "model_dir": _S,
    # where and when it ran (a study's trainable; null for `gwin trial`)
    "run": _S,
    "node_id": _S,
    "tune_trial_id": _S,
    "worker_threads": _I,
    "worker_interop_threads": _I,
    "worker_niceness": _I,
    "started_at": _F,
    "finished_at": _F,
}
TRIALS_COLUMNS = tuple(TRIALS_TYPES)


def config_values(cfg: TrialConfig) -> dict[str, Any]:
    """A TrialConfig's cells of a `trials` row: its result fields with the effective
    classifier seed, list fields as JSON strings, and all of them as `config_json`."""
    fields = cfg.result_fields()
    return {
        **fields,
        "classifier_seed": cfg.effective_classifier_seed,
        "taus": json.dumps(fields["taus"]),
        "corruptions": json.dumps(fields["corruptions"]),
        "config_json": json.dumps(fields, sort_keys=True),
    }


def _check_declared(columns: Iterable[str]) -> None:
    if unknown := sorted(set(columns) - set(TRIALS_TYPES)):
        raise ValueError(f"trials columns {unknown} are not declared in gwin.store.trials_table")


def trials_row(cfg: TrialConfig, trial_id: str, study: str, **cells: Any) -> dict[str, Any]:
    """The `trials` row of `cfg` run as `trial_id` in `study`: every declared column, `cells`
    (what the run knows) over its identity and config, status 'error' if `error` is given."""
    _check_declared(cells)
    if problem := trial_id_problem(trial_id):  # it becomes a folder name: never a path
        raise GwinError(f"trial id {trial_id!r} {problem}; a trial id names one folder")
    error = cells.pop("error", "") or ""
    return {
        **dict.fromkeys(TRIALS_TYPES),
        "trial_id": trial_id,
        "study": study,
        **config_values(cfg),
        "gwin_version": __version__,
        "status": "error" if error else "ok",
        "error": error,
        **cells,
    }


def error_row(study: str, run: str, cfg: TrialConfig, message: str) -> dict[str, Any]:
    """The row of a trial that failed for good: its identity, the error's first line; what only
    a finished trial knows stays null."""
    message = message or "unknown error"  # an empty message would read as status 'ok'
    return trials_row(cfg, cfg.trial_key(), study, run=run, finished_at=time.time(), error=message)


def trials_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as a stamped Arrow table with the declared types, in the declared order."""
    for row in rows:
        _check_declared(row)
    return stamp(pa.Table.from_pylist(rows, schema=pa.schema(TRIALS_TYPES.items())))


__all__ = [
    "HEADLINE",
    "PAIRED",
    "TRIALS_COLUMNS",
    "TRIALS_TYPES",
    "config_values",
    "error_row",
    "trials_arrow",
    "trials_row",
]
