"""The only reader of config.yaml. Precedence: defaults < config.yaml < env vars < flags."""
from __future__ import annotations

import ipaddress
import os
import warnings
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rag.errors import ConfigError

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
ENV_OVERRIDES = {  # env var -> the setting's path
    "RAG_SEEDS_DIR": ("paths", "seeds"),
    "RAG_INDEX_DIR": ("paths", "index"),
    "RAG_MODEL": ("generation", "model"),
    "RAG_API_KEY": ("server", "api_key"),
    "RAG_STORE_BACKEND": ("store", "backend"),
    "RAG_STORE_URI": ("store", "milvus", "uri"),
    "RAG_STORE_TOKEN": ("store", "milvus", "token"),
}


TOP_K_MAX = 100  # most chunks one question may retrieve (config, API and service all use this)


def cache_root() -> Path:
    """Where models converted on this machine are kept (the int8 embedder):
    env RAG_CACHE_DIR, else ~/.cache/rag; embedding.cache_dir moves the embedder's alone."""
    return Path(os.environ.get("RAG_CACHE_DIR") or Path.home() / ".cache" / "rag")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # fixed once built: with_overrides makes a copy


class Paths(_Section):
    seeds: Path = Path("seeds")
    index: Path = Path("index")


class Embedding(_Section):
    model: str = "all-MiniLM-L6-v2"
    backend: str = "onnx-int8"  # a name in rag.embedding.EMBEDDERS
    cache_dir: Optional[Path] = None
    batch_size: int = Field(16, ge=1)
    threads: int = Field(0, ge=0)
    sentences: bool = True
    chunk_vectors: Literal["sentences", "whole"] = "sentences"


class Chunking(_Section):
    chunk_tokens: int = Field(200, ge=16)
    overlap_tokens: int = Field(32, ge=0)


class LocalStore(_Section):
    vectors: str = "faiss"  # a name in rag.stores.segment.VECTOR_INDEXES (or module:Class)
    lexical: str = "bm25s"  # a name in rag.stores.segment.LEXICAL_INDEXES (or module:Class)


class MilvusStore(_Section):
    uri: str = "milvus.db"  # http://host:19530, or a file (relative to the index folder) for milvus-lite
    token: Optional[str] = None  # "user:password" or an API key
    db_name: str = ""  # the database ("" is the server's default)
    collection_prefix: str = "rag_"  # collections are <prefix>chunks, <prefix>documents, <prefix>meta


# Keys that moved from `store` into a backend's own section (old configs keep working, with a warning).
_MOVED_STORE_KEYS = {"vectors": "local", "lexical": "local", "uri": "milvus", "token": "milvus",
                     "db_name": "milvus", "collection_prefix": "milvus"}


class Store(_Section):
    """`backend` picks the backend; each backend reads its own section (`store.local`, `store.milvus`,
    or `store.<name>` for one of a user's own, handed over as a mapping)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    backend: str = "local"  # a name in rag.stores.BACKENDS (or module:Class)
    local: LocalStore = LocalStore()
    milvus: MilvusStore = MilvusStore()

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in [k for k in data if k in _MOVED_STORE_KEYS]:
            section = _MOVED_STORE_KEYS[key]
            warnings.warn(f"config: store.{key} is now store.{section}.{key}; the old key still works for now.",
                          FutureWarning, stacklevel=2)
            data[section] = {key: data.pop(key), **dict(data.get(section) or {})}  # the new key wins
        for key, value in data.items():
            if key not in cls.model_fields and not isinstance(value, dict):
                raise ValueError(f"store.{key} is not a setting (another backend's settings go in a section "
                                 f"store.<backend>: {{...}})")
        return data

    def section(self, backend: str):
        """The settings of `backend`: its typed section, or a user backend's mapping ({} if none)."""
        if backend in type(self).model_fields and backend != "backend":
            return getattr(self, backend)
        return (self.model_extra or {}).get(backend, {})


class Ingest(_Section):
    engine: str = "local"  # local: read, chunk and embed in this process; ray: on Ray Data
    ray_address: str = ""  # "" starts a local Ray for the run; "auto" or ray://head:10001 joins a cluster
    workers: int = Field(2, ge=1)  # embedding actors, each holding the model
    threads_per_worker: int = Field(1, ge=1)  # CPUs each actor takes (and its embedding threads)
    docs_per_batch: int = Field(16, ge=1)  # files handed to an actor at a time


class OcrSettings(_Section):
    engine: str = "auto"  # auto: tesseract when installed; tesseract; off; or module:Class
    dpi: int = Field(300, ge=72, le=600)  # a PDF page without a picture is rendered at this before it is read
    language: str = "eng"  # Tesseract language pack(s), e.g. eng+deu
    threads: int = Field(1, ge=1)  # Tesseract's threads per page
    workers: int = Field(0, ge=0)  # pages read at once (0: one per core)
    min_chars: int = Field(25, ge=0)  # a PDF page whose text layer holds fewer characters is read by OCR


class FetchSettings(_Section):
    allow_private: bool = False  # fetch from private, loopback and link-local addresses too
    allow_networks: list[str] = []  # networks fetched from although private, e.g. 10.20.0.0/16
    max_mb: float = Field(20, gt=0)
    timeout_s: float = Field(20, gt=0)  # for the whole fetch, redirects included
    max_redirects: int = Field(5, ge=0)
    user_agent: str = "rag-document-fetch/1"

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"'{network}' is not a network (write it like 10.20.0.0/16)") from None
        return value


class Retrieval(_Section):
    top_k: int = Field(5, ge=1, le=TOP_K_MAX)
    candidates: int = Field(50, ge=1)
    rrf_k: int = Field(10, ge=1)
    dense_weight: float = Field(1.0, ge=0)
    bm25_weight: float = Field(1.0, ge=0)
    rerank: str = "none"  # a name in rag.answering.retrieval.RERANKERS (or module:Class)


class AnswerSettings(_Section):
    max_sentences: int = Field(3, ge=1)
    min_score: float = 0.6
    coverage_weight: float = Field(0.35, ge=0)
    context_weight: float = Field(0.2, ge=0)
    type_bonus: float = Field(0.05, ge=0)
    min_similarity: float = 0.2
    margin: float = Field(0.2, ge=0)
    check_specifics: bool = True


class Grounding(_Section):
    min_similarity: float = 0.65
    min_similarity_with_terms: float = 0.45
    min_term_overlap: float = Field(0.5, ge=0, le=1)
    verifier: Literal["local", "llm"] = "local"  # llm: an LLM judges each sentence (rag/answering/judge.py)
    judge_model: str | None = None  # the judge under `verifier: llm`; None: the model that wrote the answer


class VerifierSettings(_Section):
    # what both the extractive answer and the grounding check test a claim for, in order (names in
    # rag.answering.verifier.CHECKS, or module:function)
    checks: list[str] = ["roles", "describing", "negation", "intended", "opposite", "time", "specifics", "novel"]


class Generation(_Section):
    model: str = "extractive"
    models: list[str] = ["extractive", "local/smollm2-135m"]
    api_base: str | None = None
    api_key_env: str | None = None
    temperature: float = 0.0
    max_tokens: int = Field(256, ge=1)
    timeout: float = Field(60, gt=0)
    retries: int = Field(0, ge=0)

    def allowed(self) -> list[str]:
        """The models a request may name: the extractive answerer, the default, and the listed ones."""
        return list(dict.fromkeys(["extractive", self.model, *self.models]))


class Server(_Section):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    api_key: str | None = None
    allow_public: bool = False
    watch: bool = False
    watch_interval: float = Field(2.0, gt=0)
    max_upload_mb: float = Field(20, gt=0)
    max_question_chars: int = Field(4000, ge=1)
    ui: Optional[str] = "ui.app"


class LogSettings(_Section):
    answers: bool = True  # keep every answer in index/answers.sqlite3 (what feedback rates)
    questions: bool = True  # with the answers, their text; false keeps only ids, offsets and timings
    retention_days: float = Field(90, gt=0)
    requests: bool = False  # one JSON line per HTTP request on stderr (never a question or document text)


class CollectionSettings(_Section):
    seeds: Path  # its documents (relative to config.yaml)
    retrieval: dict[str, Any] = {}  # overrides of the retrieval section for this collection, e.g. {top_k: 8}
    answer: dict[str, Any] = {}  # and of the answer section


class Settings(_Section):
    paths: Paths = Paths()
    embedding: Embedding = Embedding()
    chunking: Chunking = Chunking()
    store: Store = Store()
    ingest: Ingest = Ingest()
    ocr: OcrSettings = OcrSettings()
    fetch: FetchSettings = FetchSettings()
    retrieval: Retrieval = Retrieval()
    answer: AnswerSettings = AnswerSettings()
    grounding: Grounding = Grounding()
    verifier: VerifierSettings = VerifierSettings()
    generation: Generation = Generation()
    server: Server = Server()
    log: LogSettings = LogSettings()
    collections: dict[str, CollectionSettings] = {}  # beside `default` (paths.seeds); more by `rag collections create`

    def with_overrides(self, **dotted: Any) -> "Settings":
        """Copy with values like `paths__index=...` or `store__milvus__uri=...` replaced; None means
        'not given'."""
        data = self.model_dump()
        for key, value in dotted.items():
            if value is not None:
                *path, name = key.split("__")
                _at(data, path)[name] = value
        return Settings.model_validate(data)


def _at(data: dict, path) -> dict:
    for part in path:
        data = data.setdefault(part, {})
    return data


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read config.yaml (RAG_CONFIG or the project's own), then apply env overrides."""
    path = Path(path or os.environ.get("RAG_CONFIG") or DEFAULT_CONFIG)
    data = _read_yaml(path) if path.exists() or path != DEFAULT_CONFIG else {}
    for env, (*where, name) in ENV_OVERRIDES.items():
        if os.environ.get(env):
            _at(data, where)[name] = os.environ[env]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {first_error(exc)}") from None
    return _resolve_paths(settings, path.resolve().parent, data)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"Config file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {path} must hold a mapping of sections")
    return data


def _resolve_paths(settings: Settings, base: Path, raw: dict) -> Settings:
    """Paths from the file are relative to it; paths from env vars to the working directory."""
    from_env = {path[-1] for env, path in ENV_OVERRIDES.items() if os.environ.get(env) and path[0] == "paths"}
    paths = {}
    for name in ("seeds", "index"):
        value = getattr(settings.paths, name)
        root = Path.cwd() if name in from_env else base
        paths[name] = value if value.is_absolute() else (root / value).resolve()
    collections = {name: c.model_copy(update={"seeds": c.seeds if c.seeds.is_absolute() else (base / c.seeds).resolve()})
                   for name, c in settings.collections.items()}
    return settings.model_copy(update={"paths": Paths(**paths), "collections": collections})


def first_error(exc: ValidationError) -> str:
    """A validation error's first complaint, as "where.it.is: what is wrong"."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]
