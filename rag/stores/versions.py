"""Versions of the local index: small manifests naming immutable segments, swapped in by rename.

Layout:  index/CURRENT                    name of the live version (replaced atomically)
         index/versions/<name>.json       a version: what built it, its segments, their deletion marks
         index/segments/<segment>/        immutable chunk, vector and BM25 files (stores/segment.py)
         index/.lock                      held by the one indexer allowed at a time

A version is written (and fsynced) only after every segment it names is in place, and CURRENT
is replaced last, so a crash or kill at any point leaves CURRENT naming a complete version.
Writing a version costs what changed: the new segment and a manifest, never a copy of the index.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from rag.errors import CorruptIndexError, IndexBusyError, NoIndexError, RagError

FORMAT = 2  # 1: each version a folder with a full copy of the chunks and vectors
KEEP_VERSIONS = 2


def versions_dir(index_dir: Path) -> Path:
    return index_dir / "versions"


def current_name(index_dir: Path) -> str | None:
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def segments_dir(index_dir: Path) -> Path:
    return index_dir / "segments"


def read_version(index_dir: Path) -> dict:
    """The live version's manifest."""
    name = current_name(index_dir)
    if name is None:
        raise NoIndexError(index_dir)
    path = versions_dir(index_dir) / f"{name}.json"
    if not path.is_file() and (versions_dir(index_dir) / name).is_dir():
        raise CorruptIndexError(index_dir, "it was written by an older version of this service")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorruptIndexError(index_dir, f"missing {path.name}") from None
    except ValueError as exc:
        raise CorruptIndexError(index_dir, f"unreadable {path.name}: {str(exc)[:120]}") from None
    if manifest.get("format") != FORMAT:
        raise CorruptIndexError(index_dir, f"unknown format {manifest.get('format')}")
    return manifest


def write_version(index_dir: Path, manifest: dict) -> str:
    """Record a version (its segments already written) and make it current by one atomic rename."""
    name = new_name()
    built = datetime.now(timezone.utc).isoformat(timespec="seconds")
    manifest = {**manifest, "format": FORMAT, "version": name, "built": built}
    try:
        versions_dir(index_dir).mkdir(parents=True, exist_ok=True)
        _write(versions_dir(index_dir) / f"{name}.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        fsync_path(versions_dir(index_dir))
        _write(index_dir / "CURRENT.next", name)
        os.replace(index_dir / "CURRENT.next", index_dir / "CURRENT")
        fsync_path(index_dir)
    except OSError as exc:
        raise RagError(f"Could not write the index to {index_dir}: {exc.strerror or exc}. "
                       "The previous index is unchanged.") from None
    prune(index_dir)
    return name


def new_name() -> str:
    """A version's or a segment's name: sorts by creation time, never repeats."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]


def _write(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(index_dir: Path, keep: int = KEEP_VERSIONS) -> None:
    """Remove all but the newest `keep` versions (and the live one), then every segment none of
    them names, half-written ones included. Called by the writer, holding the lock."""
    root = versions_dir(index_dir)
    if not root.is_dir():
        return
    live = current_name(index_dir)
    for old in [p for p in root.iterdir() if p.is_dir()]:  # format 1 folders
        shutil.rmtree(old, ignore_errors=True)
    files = sorted(root.glob("*.json"))
    kept = [p for p in files[-keep:]] + [p for p in files if p.stem == live]
    for path in set(files) - set(kept):
        path.unlink(missing_ok=True)
    named = set()
    for path in kept:
        try:
            named |= {s["name"] for s in json.loads(path.read_text(encoding="utf-8"))["segments"]}
        except (OSError, ValueError, KeyError):
            continue
    segments = segments_dir(index_dir)
    for folder in segments.iterdir() if segments.is_dir() else []:
        if folder.name not in named:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path, timeout: float = 0):
    """Only one indexer per index folder; a second one fails fast with a clear message."""
    from filelock import FileLock, Timeout

    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RagError(f"Cannot use {index_dir} as the index folder: {exc.strerror or exc}.") from None
    lock = FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise IndexBusyError(index_dir) from None
    try:
        yield
    finally:
        lock.release()
