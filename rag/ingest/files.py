"""Files in the seeds folder, changed only through safe names and atomic writes."""
from __future__ import annotations

import mimetypes
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from rag.errors import ConflictError, NotFoundError, UserInputError
from rag.ingest import ocr
from rag.ingest.layout import Unreadable
from rag.ingest.readers import parse_document, supported
from rag.records import Document, content_hash

MAX_NAME = 120


def safe_name(name: str) -> str:
    """A plain file name for an upload: no folders, no traversal, no control characters."""
    if not isinstance(name, str):
        raise UserInputError("The upload needs a file name.")
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    name = re.sub(r"[^\w.\- ()]", "_", name)
    stem, suffix = os.path.splitext(name)
    if not stem or suffix.lower() not in supported():
        raise UserInputError(f"Unsupported or missing file type in '{name[:80]}'; "
                             f"supported: {', '.join(supported())}.")
    return stem[: MAX_NAME - len(suffix)] + suffix.lower()


def resolve_existing(seeds: Path, name: str) -> Path:
    """The path of an indexed document by its source name, refusing anything outside seeds."""
    parts = PurePosixPath(name).parts
    if not parts or any(p in ("..", "") or p.startswith("/") for p in parts) or "\x00" in name:
        raise NotFoundError(f"No document named '{name[:80]}'.")
    path = seeds.joinpath(*parts)
    if not path.is_file() or path.is_symlink() or seeds.resolve() not in path.resolve().parents:
        raise NotFoundError(f"No document named '{name[:80]}'.")
    return path


def save_upload(seeds: Path, filename: str, data: bytes, replace: bool = False) -> str:
    """Check the bytes can be read, then write them into seeds atomically; returns the name."""
    name = safe_name(filename)
    try:
        with ocr.deferred():
            parse_document(name, data, keep=True)
    except ocr.Deferred:
        pass  # it opens; its page images are read by the index job, which shows their progress
    except Unreadable as exc:
        raise UserInputError(f"Cannot use '{name}': {exc}.") from None
    seeds.mkdir(parents=True, exist_ok=True)
    target = seeds / name
    clash = _case_clash(seeds, name)
    if clash and clash != name:
        raise ConflictError(f"'{clash}' already exists with a name differing only in case.")
    if target.exists() and not replace and target.read_bytes() != data:
        raise ConflictError(f"A different '{name}' already exists; send replace=true to overwrite it.")
    partial = seeds / f".{name}.upload"
    partial.write_bytes(data)
    os.replace(partial, target)
    return name


def _case_clash(seeds: Path, name: str) -> str | None:
    for path in seeds.iterdir():
        if path.name.lower() == name.lower():
            return path.name
    return None


def read_indexed(seeds: Path, name: str, indexed_hash: str) -> tuple[bytes, Document]:
    """The original bytes of an indexed document and its parsed text, exactly as indexed
    (offsets in citations point into this text); refuses a file changed since indexing."""
    data = resolve_existing(seeds, name).read_bytes()
    if content_hash(data) != indexed_hash:
        raise ConflictError(f"'{name[:80]}' has changed since it was indexed; re-index to open it.")
    return data, parse_document(name, data)


def content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind
