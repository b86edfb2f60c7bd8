"""Why a results file cannot be read: missing, a folder, cut short, not Parquet, of another
schema version, or without a column a reader needs. `read_parquet` turns the reason into one
line that names the file and what to do (gwin.store.guard.repair_hint), so a damaged study is
named, never traced; `gwin upgrade --repair` reports the same reasons as it sets trials aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from gwin.errors import GwinError
from gwin.store.guard import repair_hint
from gwin.store.location import first_line
from gwin.store.schema import SCHEMA_VERSION, VERSION_KEY, check_version

# pyarrow's "Could not open Parquet input source '<Buffer>': " says nothing the line does not
_PREFIX = re.compile(r"^Could not open Parquet input source '[^']*': ")


def kind_problem(fs: pafs.FileSystem, path: str) -> str | None:
    """Why `path` is no file to read, or None. A folder must be refused: pyarrow would read it
    as a dataset and return no rows without an error, a wrong answer that looks right."""
    kind = fs.get_file_info(path).type
    if kind == pafs.FileType.NotFound:
        return "is missing: its trial folder is incomplete or gone"
    if kind != pafs.FileType.File:
        return "is a folder, not a Parquet file"
    return None


def _reason(err: BaseException) -> str:
    return _PREFIX.sub("", first_line(err)).split(". ")[0].rstrip(".")


def _named(filters: object) -> list[str]:
    """The columns pyarrow filters name: [(column, op, value), ...] (or a list of those)."""
    names: list[str] = []
    for term in filters if isinstance(filters, list) else []:
        if isinstance(term, tuple) and term and isinstance(term[0], str):
            names.append(term[0])
        elif isinstance(term, list):
            names += _named(term)
    return names


def _lacks(schema: pa.Schema, columns: Sequence[str]) -> str | None:
    missing = [c for c in columns if c not in schema.names]
    if not missing:
        return None
    return f"lacks the column {missing[0]!r}: it is damaged or not a gwin results table"


def file_problem(fs: pafs.FileSystem, path: str, columns: Sequence[str] = ()) -> str | None:
    """Why the Parquet file at `path` cannot be read for `columns`, or None; its footer only
    is read (a cut-short file has lost it), never its rows."""
    if problem := kind_problem(fs, path):
        return problem
    try:
        schema = pq.read_schema(path, filesystem=fs)
    except (OSError, pa.ArrowException) as err:
        return f"is damaged ({_reason(err)})"
    found = int((schema.metadata or {}).get(VERSION_KEY, b"1"))
    if found != SCHEMA_VERSION:
        return f"holds results schema v{found}, not v{SCHEMA_VERSION}"
    return _lacks(schema, columns)


def check_is_file(fs: pafs.FileSystem, path: str, where: str) -> None:
    if problem := kind_problem(fs, path):
        raise GwinError(f"{where} {problem}{repair_hint(where)}")


def unreadable(
    fs: pafs.FileSystem,
    path: str,
    where: str,
    err: BaseException,
    columns: Sequence[str] | None = None,
    filters: object = None,
) -> GwinError:
    """The one line for a file pyarrow failed to read with `err`: another schema version (the
    version check's own line, with its advice), a column it lacks, or damage."""
    try:
        schema = pq.read_schema(path, filesystem=fs)
    except (OSError, pa.ArrowException):
        schema = None
    if schema is not None:
        check_version(schema, where)
        if lacks := _lacks(schema, [*(columns or []), *_named(filters)]):
            return GwinError(f"{where} {lacks}{repair_hint(where)}")
    return damaged(where, err)


def damaged(where: str, err: BaseException) -> GwinError:
    """The line for a file at `where` that pyarrow could not parse (`err`)."""
    return GwinError(f"{where} is damaged ({_reason(err)}){repair_hint(where)}")


__all__ = ["check_is_file", "damaged", "file_problem", "kind_problem", "unreadable"]
