"""Where fetched documents came from: `.sources.json` in the seeds folder (name -> url, final
url, fetch date). It lives beside the files it describes, not in the index, so a rebuilt index
keeps it; its name starts with a dot, so the folder scan never reads it as a document."""
from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

from httpx import URL

FILE = ".sources.json"
_lock = threading.Lock()


def load(seeds: Path) -> dict[str, dict]:
    try:
        data = json.loads((seeds / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def url_of(seeds: Path, name: str) -> str | None:
    return (load(seeds).get(name) or {}).get("url")


def record(seeds: Path, name: str, entry: dict) -> None:
    with _lock:
        _write(seeds, {**load(seeds), name: entry})


def forget(seeds: Path, name: str) -> None:
    with _lock:
        known = load(seeds)
        if known.pop(name, None) is not None:
            _write(seeds, known)


def name_for(seeds: Path, url: str, suffix: str) -> str:
    """The file name a URL is kept under: the one it already has, else host and last path part,
    numbered when a different file holds that name."""
    known = load(seeds)
    for name, entry in known.items():
        if entry.get("url") == url and name.endswith(suffix):
            return name
    parsed = URL(url)
    last = parsed.path.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", last)
    base = re.sub(r"[^\w.\-]+", "-", f"{parsed.host}-{stem}" if stem else parsed.host).strip("-.")[:100]
    taken = {p.name.lower() for p in seeds.iterdir()} if seeds.is_dir() else set()
    name, n = f"{base}{suffix}", 1
    while name.lower() in taken:
        n += 1
        name = f"{base}-{n}{suffix}"
    return name


def _write(seeds: Path, known: dict) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    partial = seeds / f"{FILE}.{os.getpid()}.partial"
    partial.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, seeds / FILE)
