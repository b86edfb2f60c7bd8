"""Folders on any storage `pyarrow.fs` understands (local, NFS, s3://, gs://, ...), and the
layout of a study folder.

A study named NAME under STORAGE is the folder STORAGE/NAME:

    tune/<run>/              Ray Tune experiments (state, checkpoints, logs); `--resume` reads them
    trial_outputs/<trial_id>/ one finished trial's tables; `trials.parquet` is written last and
                             marks the trial complete (`error.json` instead: the trial failed)
    cache/                   classifiers and confident sets shared by the study's trials
    results/trials.parquet   the index of the trials and their status (see gwin.store.index)

Every write goes to a temporary name first and is then moved into place, so a reader never
sees half a file (on object stores a move is a copy, but each object still appears whole).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from gwin.errors import GwinError
from gwin.store.atomic import atomic_fs_path

TUNE_DIR, OUTPUTS_DIR, CACHE_DIR, RESULTS_DIR = "tune", "trial_outputs", "cache", "results"


def is_uri(location: str) -> bool:
    return "://" in location


def name_of(location: str) -> str:
    """The last component of a local path or a URI (a study's name, for titles)."""
    return PurePosixPath(location.split("://", 1)[-1].rstrip("/")).name


@dataclass(frozen=True)
class Folder:
    """A folder (a study's, or one trial's) in two spellings: for people and for pyarrow.

    `location` / `location_of(*parts)`: a local path or a URI, what users type and read (and what
    Ray Tune's `storage_path` takes); `root` / `path(*parts)`: the path inside `fs`, what
    pyarrow's calls take."""

    location: str  # an absolute local path or a URI, as shown to users
    fs: pafs.FileSystem
    root: str  # the folder's path inside `fs`

    @property
    def local(self) -> bool:
        return isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, *parts: str) -> str:
        """A path inside `fs` (what pyarrow calls take)."""
        return str(PurePosixPath(self.root, *parts))

    def location_of(self, *parts: str) -> str:
        """The location of a path inside this folder, as users see it: a local path or a URI."""
        return (
            str(PurePosixPath(self.location, *parts))
            if not is_uri(self.location)
            else "/".join([self.location.rstrip("/"), *parts])
        )

    def child(self, *parts: str) -> Folder:
        return Folder(self.location_of(*parts), self.fs, self.path(*parts))

    def exists(self, *parts: str) -> bool:
        return exists(self.fs, self.path(*parts))

    @classmethod
    def at(cls, location: str | os.PathLike) -> Folder:
        """The study folder at a local path (made absolute) or a URI such as s3://bucket/NAME."""
        location = str(location)
        if not is_uri(location):
            location = os.path.abspath(os.path.expanduser(location))
        try:
            fs, root = pafs.FileSystem.from_uri(location)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as err:
            raise GwinError(f"cannot open storage {location}: {first_line(err)}") from err
        return cls(location.rstrip("/") if is_uri(location) else location, fs, root)

    @classmethod
    def from_fs(cls, fs: pafs.FileSystem, root: str) -> Folder:
        """From Ray Tune's (storage_filesystem, fs path), e.g. inside a driver callback."""
        location = root if isinstance(fs, pafs.LocalFileSystem) else f"{fs.type_name}://{root}"
        return cls(location, fs, root)


def first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


def exists(fs: pafs.FileSystem, path: str) -> bool:
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def list_dirs(fs: pafs.FileSystem, path: str) -> list[str]:
    """Names of the sub-folders of `path`, hidden ones (staging, temporaries) left out (sorted;
    empty when `path` does not exist)."""
    if not exists(fs, path):
        return []
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=False))
    names = (PurePosixPath(i.path).name for i in infos if i.type == pafs.FileType.Directory)
    return sorted(n for n in names if not n.startswith("."))


def list_files(fs: pafs.FileSystem, path: str) -> list[str]:
    """Full paths of all files under `path`, recursively (empty when `path` does not exist)."""
    if not exists(fs, path):
        return []
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=True))
    return sorted(i.path for i in infos if i.type == pafs.FileType.File)


def write_bytes(fs: pafs.FileSystem, path: str, data: bytes) -> None:
    with atomic_fs_path(fs, path) as tmp, fs.open_output_stream(tmp) as out:
        out.write(data)


def write_json(fs: pafs.FileSystem, path: str, value: Any) -> None:
    write_bytes(fs, path, json.dumps(value, sort_keys=True, default=str).encode())


def read_bytes(fs: pafs.FileSystem, path: str) -> bytes:
    with fs.open_input_stream(path) as f:
        return f.readall()


def read_json(fs: pafs.FileSystem, path: str) -> Any:
    return json.loads(read_bytes(fs, path).decode())


def delete_file(fs: pafs.FileSystem, path: str) -> None:
    if exists(fs, path):
        fs.delete_file(path)


def check_writable(folder: Folder, flag: str = "--storage") -> None:
    """Create the folder and write and delete a probe file; one-line error if that fails
    (before hours of work are spent on results that could not be written)."""
    probe = folder.path(f".gwin-write-probe-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    existed = exists(folder.fs, folder.root)
    try:
        folder.fs.create_dir(folder.root, recursive=True)
        with folder.fs.open_output_stream(probe) as out:
            out.write(b"ok")
        folder.fs.delete_file(probe)
        if not existed:  # leave nothing behind: a later error must not leave an empty folder
            folder.fs.delete_dir(folder.root)
    except (OSError, pa.ArrowException) as err:
        raise GwinError(
            f"cannot write to {folder.location}: {first_line(err)}; "
            f"pass a writable {flag} folder or URI"
        ) from err


def check_output_file(out: Folder, overwrite: bool = False, flag: str = "--out") -> None:
    """Refuse, in one line and before any work, an output file that would replace a folder, or
    a file the user has not asked to replace."""
    kind = out.fs.get_file_info(out.root).type
    if kind == pafs.FileType.Directory:
        raise GwinError(f"{flag} {out.location} is a folder; name the file to write")
    if kind != pafs.FileType.NotFound and not overwrite:
        raise GwinError(
            f"{flag} {out.location} already exists; pass --overwrite to replace it, or "
            f"choose another {flag}"
        )


def writable(folder: Folder) -> str | None:
    """None if a probe file can be written and deleted in `folder`, else why not (one line)."""
    try:
        check_writable(folder)
    except GwinError as err:
        return str(err)
    return None


def is_empty(folder: Folder) -> bool:
    """No entries but hidden ones (a driver's lock, a write probe)."""
    if not exists(folder.fs, folder.root):
        return True
    infos = folder.fs.get_file_info(pafs.FileSelector(folder.root, recursive=False))
    return all(PurePosixPath(i.path).name.startswith(".") for i in infos)
