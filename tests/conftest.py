"""Shared fixtures. Any connection that leaves this machine fails the test (fail closed)."""
from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_dce0e35cb16ddf61.txt"
SHARED_BENCH = ROOT.parent / "shared" / "bench"  # the shared data beside the checkout (CI always has it)
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if not isinstance(address, tuple):
        return True  # unix sockets
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded(real):
    def connect(self, address):
        if not _is_local(address):
            raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True, scope="session")
def no_network():
    socket.socket.connect = _guarded(_real_connect)
    socket.socket.connect_ex = _guarded(_real_connect_ex)
    yield
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex


class FakeEmbedder:
    """Hashed bag of words: deterministic, instant, and similar texts get similar vectors."""

    name = "fake-bow"
    dim = 64

    def __init__(self, max_tokens: int = 64):
        self.max_tokens = max_tokens
        self.calls: list[int] = []

    def token_spans(self, text):
        return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]

    def embed_batch(self, texts, *, query=False):
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder)
    return folder


def make_settings(seeds: Path, index: Path, **overrides):
    from rag.config import Settings

    return Settings().with_overrides(paths__seeds=seeds, paths__index=index, **overrides)


@pytest.fixture
def fake_service(seeds_copy, tmp_path, fake_embedder):
    from rag.service import build_service

    return build_service(make_settings(seeds_copy, tmp_path / "index"), fake_embedder)


@pytest.fixture(scope="session")
def real_embedder():
    from rag.embedding.fp32 import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


def chunk_ids(seeds: Path, embedder, chunk_tokens: int = 200, overlap_tokens: int = 32) -> set[str]:
    """The ids a clean index of `seeds` holds: every readable file chunked, nothing embedded."""
    from rag.ingest.indexer import Indexer
    from rag.ingest.layout import Unreadable
    from rag.ingest.readers import iter_files, load_document

    chunker = Indexer(embedder, chunk_tokens, overlap_tokens).chunker
    ids: set[str] = set()
    for path in iter_files(seeds):
        try:
            ids |= {c.id for c in chunker.split(load_document(path, seeds))}
        except Unreadable:
            pass
    return ids


def live_view(index_dir: Path):
    """The local backend's live version, read from disk."""
    from rag.config import LocalStore
    from rag.stores.local import LocalBackend

    return LocalBackend(LocalStore(), index_dir).load()


def live_chunks(view) -> dict:
    """Every chunk a view holds, by vector id."""
    return {c.vector_id: c for source in view.documents for c in view.document_chunks(source)}


def live_vector_ids(view) -> set[int]:
    """The vector ids a view can find: every segment's, less those marked dead."""
    found = set()
    for seg, dead in zip(view.segments, view._chunk_dead):
        ids = seg.vectors.vectors()[0]
        found |= set((ids[~dead] if dead is not None else ids).tolist())
    return found


def shared_bench(*parts: str) -> Path:
    """A path in ../shared/bench; a test that needs it fails, loudly, when it is not there."""
    path = SHARED_BENCH.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: the benchmark data must sit beside the checkout, as in CI", pytrace=False)
    return path
