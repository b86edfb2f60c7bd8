"""The results tables' columns, their types, and the schema version (docs/schema.md).

Every Parquet file gwin writes carries `SCHEMA_VERSION` in its metadata; a reader refuses a file
of another version (or one with none: written before versions existed) with one line, instead of
mixing tables whose columns mean different things. Bump the version, and document the change in
docs/schema.md, whenever a column is added, removed or changes meaning.
"""

from __future__ import annotations

import pyarrow as pa

from gwin.errors import GwinError

# 3: append-only results: every table per trial folder, the study's results/trials.parquet an
# index of them, per-trial sweeps, selective and history tables (docs/schema.md);
# 2: the identity baseline's columns and the conditional critic; 1: no version key
SCHEMA_VERSION = 3
VERSION_KEY = b"gwin.schema_version"
# Versions `gwin.store.upgrade` converts to this one in place.
UPGRADABLE = frozenset({2})

PREDICTION_TYPES: dict[str, pa.DataType] = {
    "trial_id": pa.string(),
    "split": pa.string(),
    "corruption": pa.string(),
    "index": pa.int64(),
    "label": pa.int64(),
    **{
        f"{verdict}_{column}": kind
        for verdict in ("bnn", "gwin", "identity")
        for column, kind in (
            ("pred", pa.int64()),
            ("certainty", pa.float32()),
            ("gt_certainty", pa.float32()),
        )
    },
}
PREDICTION_COLUMNS = list(PREDICTION_TYPES)

# The trained GWIN's folder inside a trial folder (gwin.model); the trials row's `model_dir`.
MODEL_DIR = "model"
# The tables of one trial folder; `trials.parquet` is written last and marks the trial complete.
TRIAL_TABLES = ("examples", "predictions", "sweeps", "selective", "history", "trials")

# Columns every reader relies on; a table may hold more (every trials column, with its type, is
# declared in gwin.store.trials_table).
REQUIRED_COLUMNS = {
    "trials": [
        "trial_id",
        "study",
        "dataset",
        "classifier",
        "seed",
        "lambda_loss",
        "tau_star",
        "preset",
        "n_confident",
        "classifier_cache_hit",
        "status",
        "error",
    ],
    "predictions": PREDICTION_COLUMNS,
    "examples": ["trial_id", "index", "label", "image", "transformed"],
    "sweeps": ["trial_id", "split", "corruption", "tau", "n", "n_rejected"],
    "selective": ["trial_id", "split", "corruption", "bnn_aurc", "gwin_aurc", "aurc_delta"],
    "history": ["trial_id", "iteration"],
}


def stamp(table: pa.Table) -> pa.Table:
    """`table` with this schema version in its metadata (pandas' own metadata dropped: it
    describes one writer's index and breaks concatenation)."""
    return table.replace_schema_metadata({VERSION_KEY: str(SCHEMA_VERSION).encode()})


def to_arrow(frame, table: str) -> pa.Table:
    """A pandas frame as a stamped Arrow table; predictions are cast to their declared types."""
    data = pa.Table.from_pandas(frame, preserve_index=False)
    if table == "predictions" and data.num_rows:
        fields = [
            pa.field(name, PREDICTION_TYPES.get(name, data.schema.field(name).type))
            for name in data.column_names
        ]
        data = data.cast(pa.schema(fields))
    return stamp(data)


def check_version(schema: pa.Schema, where: str) -> None:
    """Raise one line if the file at `where` was written by another results schema."""
    raw = (schema.metadata or {}).get(VERSION_KEY)
    found = int(raw) if raw is not None else 1
    if found == SCHEMA_VERSION:
        return
    if found > SCHEMA_VERSION:
        advice = "upgrade gwin to read it"
    elif found in UPGRADABLE:
        advice = "convert it once with: python -m gwin.store.upgrade LOCATION"
    else:
        advice = (
            "re-run it with this gwin (a new --name or --out), or read it with the gwin "
            "version that wrote it"
        )
    raise GwinError(
        f"{where} holds results schema v{found}, this gwin reads v{SCHEMA_VERSION} "
        f"(docs/schema.md, 'Schema versions'); {advice}"
    )


def check_columns(columns: list[str], table: str, where: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in columns]
    if missing:
        raise GwinError(
            f"{where} lacks the {table} columns {missing}: it is not a gwin results table of "
            f"schema v{SCHEMA_VERSION}; re-run the study or trial with this version"
        )


__all__ = [
    "PREDICTION_COLUMNS",
    "PREDICTION_TYPES",
    "REQUIRED_COLUMNS",
    "MODEL_DIR",
    "SCHEMA_VERSION",
    "TRIAL_TABLES",
    "check_columns",
    "check_version",
    "stamp",
    "to_arrow",
]
