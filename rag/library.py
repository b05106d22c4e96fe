"""Collections: named sets of documents in one service, each with its own seeds folder, index
versions, jobs, answer log and watcher, all sharing one embedding model.

`default` is paths.seeds / paths.index, so a single-folder install sees no change. Others come from
config.yaml's `collections:` section or from `create` (kept in index/collections.json, their index
under index/collections/<name>/index and, unless a seeds folder is given, their documents beside it
in .../seeds). Each collection is a RagService built on first use; on Milvus each has its own
Milvus collections (the prefix gains its name), with the same version guarantees."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

from rag.access.keys import Caller, KeyStore
from rag.config import Settings
from rag.errors import ConflictError, ForbiddenError, NotFoundError, UserInputError
from rag.service import RagService, build_service
from rag.stores import open_store

DEFAULT = "default"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
FORBIDDEN = {"write": "change it", "admin": "administer it"}


class Library:
    def __init__(self, settings: Settings, default: RagService | None = None, embedder=None):
        self.settings = settings
        self._services: dict[str, RagService] = {DEFAULT: default} if default else {}
        self._embedder = embedder  # (the default service, built on first use, loads one otherwise)
        self.keys = KeyStore(settings.paths.index / "keys.json", settings.server.api_key)
        self._lock = threading.RLock()
        self._registry = settings.paths.index / "collections.json"

    # -- which there are ---------------------------------------------------------------------

    def names(self) -> list[str]:
        return [DEFAULT, *sorted(set(self.settings.collections) | set(self._created()))]

    def has(self, name: str) -> bool:
        return name in self.names()

    def get(self, name: str) -> RagService:
        """The collection's service (NotFoundError for an unknown name: the caller cannot tell it
        from one it may not read)."""
        with self._lock:
            if name not in self._services:
                if not self.has(name):
                    raise NotFoundError(f"No collection named '{name[:40]}'.")
                if name == DEFAULT:
                    self._services[name] = build_service(self.settings, self._embedder)
                else:
                    default = self.get(DEFAULT)  # its model and LLM client are shared
                    self._services[name] = build_service(self._settings_for(name), default.embedder,
                                                         default.answers.llm)
            return self._services[name]

    def check(self, who: Caller, name: str, action: str = "read") -> None:
        """Whether a caller may `action` a collection: one it may not read is a NotFoundError
        worded as for a missing one (no name leaks); one it may read but not change or
        administer a ForbiddenError."""
        if not who.may("read", name) or not self.has(name):
            raise NotFoundError(f"No collection named '{name[:40]}'.")
        if not who.may(action, name):
            raise ForbiddenError(f"This key may read '{name}' but not {FORBIDDEN[action]}.")

    def reachable(self, who: Caller, name: str, action: str = "read") -> RagService:
        """The collection's service, once `check` lets the caller `action` it."""
        self.check(who, name, action)
        return self.get(name)

    def readable(self, who: Caller) -> list[str]:
        return [name for name in self.names() if who.may("read", name)]

    def loaded(self) -> dict[str, RagService]:
        with self._lock:
            return dict(self._services)

    def index_dir(self, name: str):
        return self.settings.paths.index if name == DEFAULT else self._home(name) / "index"

    def describe(self, name: str) -> dict:
        service = self.get(name)
        return {"name": name, "seeds": str(service.settings.paths.seeds), **service.index.status()}

    # -- making and removing -----------------------------------------------------------------

    def create(self, name: str, seeds: Path | None = None) -> dict:
        if not isinstance(name, str) or not NAME.fullmatch(name) or name == DEFAULT:
            raise UserInputError("A collection's name is 1-40 lower-case letters, digits, - and _, "
                                 f"starting with a letter or digit, and not '{DEFAULT}'.")
        with self._lock:
            if self.has(name):
                raise ConflictError(f"A collection named '{name}' exists.")
            folder = Path(seeds).resolve() if seeds else self._home(name) / "seeds"
            folder.mkdir(parents=True, exist_ok=True)
            created = self._created()
            created[name] = {"seeds": str(folder), "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            self._write(created)
        return {"name": name, "seeds": str(folder), "documents": 0, "chunks": 0, "index_version": "", "built": None}

    def delete(self, name: str, files: bool = False) -> None:
        """Drop a created collection's index (and its keys); its documents stay unless `files`,
        and a seeds folder the collection did not make is never removed."""
        with self._lock:
            created = self._created()
            if name not in created:
                if self.has(name):
                    raise UserInputError(f"'{name}' is set in config.yaml (or is the default); remove it there.")
                raise NotFoundError(f"No collection named '{name[:40]}'.")
            service = self._services.pop(name, None)
            if service is not None and service.answer_log is not None:
                service.answer_log.flush()
            store = service.index.store if service else open_store(self._settings_for(name).store, self.index_dir(name))
            getattr(store, "destroy", lambda: None)()  # a server's copy (Milvus); the folder goes below
            seeds = Path(created.pop(name)["seeds"])
            self._write(created)
            shutil.rmtree(self._home(name) / "index", ignore_errors=True)
            if files and self._home(name) in seeds.parents:
                shutil.rmtree(seeds, ignore_errors=True)
            if self._home(name).is_dir() and not any(self._home(name).iterdir()):
                self._home(name).rmdir()
            self.keys.revoke_collection(name)

    def close(self) -> None:
        for service in self.loaded().values():
            _close(service)

    # -- inside -------------------------------------------------------------------------------

    def _settings_for(self, name: str) -> Settings:
        base = self.settings
        configured = base.collections.get(name)
        seeds = configured.seeds if configured else Path(self._created()[name]["seeds"])
        overrides = {f"{section}__{key}": value for section, values in
                     (("retrieval", configured.retrieval if configured else {}),
                      ("answer", configured.answer if configured else {})) for key, value in values.items()}
        return base.with_overrides(
            paths__seeds=seeds, paths__index=self.index_dir(name),
            store__milvus__collection_prefix=milvus_prefix(base.store.milvus.collection_prefix, name), **overrides)

    def _home(self, name: str) -> Path:
        return self.settings.paths.index / "collections" / name

    def _created(self) -> dict:
        try:
            data = json.loads(self._registry.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            raise UserInputError(f"{self._registry} cannot be read; restore it from a backup.") from None
        return data if isinstance(data, dict) else {}

    def _write(self, created: dict) -> None:
        self._registry.parent.mkdir(parents=True, exist_ok=True)
        partial = self._registry.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(created, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(partial, self._registry)


def milvus_prefix(prefix: str, name: str) -> str:
    """A collection's own Milvus prefix: only letters, digits and _ (Milvus's rule), and its name's
    hash, so neither "team-a" and "team_a" nor "team" and "team_x" can share or overlap."""
    return f"{prefix}{re.sub(r'[^a-z0-9_]', '_', name)}_{hashlib.sha1(name.encode()).hexdigest()[:6]}_"


def _close(service: RagService) -> None:
    """Let a service's writers finish before its files go: answers still queued, the store's engine."""
    if service.answer_log is not None:
        service.answer_log.flush()
    getattr(service.index.store, "close", lambda: None)()
