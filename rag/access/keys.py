"""API keys: each has a label, a role (read < write < admin) and a collection (or "*" for all).

A key is `rag_<id>_<secret>`; only its id and an scrypt hash of its secret are kept, in
`keys.json` in the index folder, written atomically. A key is checked once per process with
scrypt and then remembered by its SHA-256 until the file changes, so a revoke takes effect on the
next request and a request does not pay the KDF each time. `server.api_key` is an admin key for
every collection. With no key at all (no server.api_key, no keys.json) the service is open, as a
single-user laptop install is; once keys.json exists it stays closed, even after its last key is
revoked (fail closed: remove the file to open the service again)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rag.errors import AuthError, NotFoundError, UserInputError

ROLES = ("read", "write", "admin")
ALL = "*"
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class Caller:
    label: str
    role: str
    collection: str  # a name, or "*"

    def may(self, action: str, collection: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(action) and self.collection in (ALL, collection)


OPEN = Caller("(no keys configured)", "admin", ALL)


class KeyStore:
    def __init__(self, path: Path, server_key: str | None = None):
        self.path, self.server_key = path, server_key
        self._lock = threading.Lock()
        self._checked: dict[str, str] = {}  # sha256 of a presented key -> its id, while the file is unchanged
        self._seen = None  # (inode, mtime_ns, size) of the file the caches belong to
        self._keys: dict = {}

    # -- managing ----------------------------------------------------------------------------

    def create(self, role: str, collection: str = ALL, label: str | None = None) -> tuple[str, dict]:
        """A new key (shown once, never stored) and its public entry."""
        if role not in ROLES:
            raise UserInputError(f"A key's role is one of {', '.join(ROLES)}, not '{role}'.")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with self._lock:
            keys = dict(self._load())  # (the cached copy stays as read)
            label = label or f"{role}-{collection if collection != ALL else 'all'}-{key_id[:4]}"
            if not LABEL.fullmatch(label):
                raise UserInputError("A key's label is letters, digits and ._@- (up to 64), starting with a letter or digit.")
            if any(k["label"] == label for k in keys.values()):
                raise UserInputError(f"A key labelled '{label}' exists; revoke it or choose another label.")
            salt = secrets.token_bytes(16)
            keys[key_id] = {"label": label, "role": role, "collection": collection, "salt": salt.hex(),
                            "hash": _kdf(secret, salt).hex(),
                            "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            self._write(keys)
        return f"rag_{key_id}_{secret}", _public(keys[key_id])

    def list(self) -> list[dict]:
        return sorted((_public(k) for k in self._load().values()), key=lambda k: k["label"])

    def revoke(self, label: str) -> None:
        with self._lock:
            keys = dict(self._load())  # (the cached copy stays as read)
            found = [key_id for key_id, k in keys.items() if k["label"] == label]
            if not found:
                raise NotFoundError(f"No key labelled '{label[:64]}'.")
            for key_id in found:
                del keys[key_id]
            self._write(keys)

    def revoke_collection(self, collection: str) -> None:
        """Keys for one collection go with it (a later collection of that name starts without them)."""
        with self._lock:
            keys = dict(self._load())  # (the cached copy stays as read)
            kept = {i: k for i, k in keys.items() if k["collection"] != collection}
            if len(kept) != len(keys):
                self._write(kept)

    # -- checking ----------------------------------------------------------------------------

    def enabled(self) -> bool:
        return bool(self.server_key) or self.path.exists()

    def caller(self, presented: str | None) -> Caller:
        """Who a request's key belongs to; without keys anyone is OPEN. A wrong or revoked key, or
        none when keys exist, is an AuthError."""
        if not self.enabled():
            return OPEN
        keys = self._load()
        if presented and self.server_key and hmac.compare_digest(presented.encode(), self.server_key.encode()):
            return Caller("server.api_key", "admin", ALL)
        entry = self._entry(presented or "", keys)
        if entry is None:
            raise AuthError("This needs an API key: send 'Authorization: Bearer <key>' (wrong or revoked keys are refused).")
        return Caller(entry["label"], entry["role"], entry["collection"])

    def _entry(self, presented: str, keys: dict) -> dict | None:
        match = re.fullmatch(r"rag_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})", presented)
        if not match or match[1] not in keys:
            _kdf("x" * 43, b"0" * 16)  # the same work as a real check: no timing says which part was wrong
            return None
        digest = hashlib.sha256(presented.encode()).hexdigest()
        if self._checked.get(digest) == match[1]:
            return keys[match[1]]
        entry = keys[match[1]]
        if not hmac.compare_digest(_kdf(match[2], bytes.fromhex(entry["salt"])), bytes.fromhex(entry["hash"])):
            return None
        self._checked[digest] = match[1]
        return entry

    # -- the file ----------------------------------------------------------------------------

    def _load(self) -> dict:
        """The keys, read again only when the file changed: every write replaces it (a new inode),
        so a revoke by any process is seen by the next request's stat."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._checked.clear()
            self._seen, self._keys = None, {}
            return {}
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._checked.clear()
            try:
                self._keys = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise AuthError(f"{self.path} cannot be read; restore it or remove it and create keys again.") from None
            self._seen = seen
        return self._keys

    def _write(self, keys: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(keys, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, self.path)
        self._checked.clear()


def _kdf(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


def _public(entry: dict) -> dict:
    return {k: entry[k] for k in ("label", "role", "collection", "created")}
