"""An int8 ONNX copy of the embedding model, exported here from the packaged weights.

Exported once per machine (about 20 s) into a cache folder, then run by onnxruntime with
dynamic int8 quantisation: same tokenizer, same mean pooling and normalisation as the
sentence-transformers pipeline of all-MiniLM-L6-v2. Per-channel weight scales matter: on SciFact
abstracts per-tensor int8 vectors had cosine 0.94 to fp32's, per-channel 0.99.

Each model call runs on one core, and a batch of texts is spread over one call per core at once:
on 2 cores that embedded SciFact sentences 1.14-1.18x as fast as one call on two threads, whose
small matrix products spend much of their time handing work between the threads (README
"Indexing speed").
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from rag.config import cache_root
from rag.embedding.embedder import cores, resolve_model_path
from rag.errors import ConfigError, MissingDependencyError

INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


def export_int8(model_dir: str, cache_dir: Path) -> Path:
    """The quantised model file for model_dir, exporting it on first use."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        path = Path(model_dir) / name
        if path.exists():
            digest.update(path.read_bytes())
    target = cache_dir / f"{digest.hexdigest()[:16]}-int8-perchannel-eager.onnx"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    # per-process temporary names: two processes exporting at once must not share a half-written file
    fp32 = target.with_suffix(f".{os.getpid()}.fp32.onnx")
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        # in a child process: torch and transformers (about 500 MB) never stay in this one
        done = subprocess.run([sys.executable, "-m", "rag.embedding.int8", model_dir, str(fp32), str(partial)],
                              capture_output=True, text=True)
        if done.returncode == MISSING:
            raise MissingDependencyError(done.stdout.strip() or "onnxruntime")
        if done.returncode:
            raise ConfigError(f"Exporting the embedding model to ONNX failed ({done.stderr.strip()[-400:]}); "
                              "set embedding.backend: torch to run it as shipped.")
        os.replace(partial, target)
    finally:
        fp32.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return target


MISSING = 3  # the child's exit code when a package it needs is not installed; it prints the name


def _export_and_quantize(model_dir: str, fp32: Path, target: Path) -> None:
    _export_fp32(model_dir, fp32)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)


def _export_fp32(model_dir: str, path: Path) -> None:
    """The model as an ONNX graph. Its attention is exported as written ("eager"): PyTorch's fused
    attention exports as a softmax guarded by IsNaN and Where over every attention score, which
    took 14% of the int8 model's time; the vectors stay within a mean cosine of 0.999."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Encoder(torch.nn.Module):  # named inputs, one output: what onnxruntime will be fed
        def __init__(self):
            super().__init__()
            self.model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = AutoTokenizer.from_pretrained(model_dir)(["an example sentence"], return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            Encoder().eval(), tuple(sample[n] for n in INPUTS), str(path), input_names=INPUTS,
            output_names=["last_hidden_state"], opset_version=17, dynamo=False,
            dynamic_axes={**{n: axes for n in INPUTS}, "last_hidden_state": axes},
        )


# An answer over chunks that carry no sentence vectors (embedding.sentences: false) embeds its ~40
# candidate sentences, of very uneven length, and each batch is padded to its longest: batches of
# 16 answered 13% faster than 32 (rag bench, 2,379 chunks); embedding.batch_size caps it lower.
QUERY_BATCH = 16


class OnnxInt8Embedder:
    """Same interface as SentenceTransformerEmbedder; vectors differ slightly, so the index
    fingerprint names the backend and switching backends rebuilds the index."""

    def __init__(self, name: str, batch_size: int = 16, threads: int = 0, cache_dir: Path | None = None):
        self.name = f"{name}+onnx-int8"
        self.base, self.batch_size = name, batch_size
        self.calls, self.cache_dir = threads or cores(), Path(cache_dir) if cache_dir else cache_root()
        self._session = None
        self._tokenizers: dict[str, object] = {}
        self._locks = {"query": threading.Lock(), "index": threading.Lock()}
        self._loading = threading.Lock()
        # a pool per role, so a question's calls never queue behind a re-index's
        self._pools = {role: ThreadPoolExecutor(self.calls, thread_name_prefix=f"onnx-int8-{role}") for role in self._locks}

    @functools.cached_property
    def _shape(self) -> tuple[int, int]:
        """(vector size, wordpieces read) from the model's own config files, as shipped."""
        folder = Path(resolve_model_path(self.base))
        dim = json.loads((folder / "config.json").read_text())["hidden_size"]
        st_config = folder / "sentence_bert_config.json"
        window = json.loads(st_config.read_text()).get("max_seq_length", 256) if st_config.exists() else 256
        return int(dim), int(window)

    @property
    def dim(self) -> int:
        return self._shape[0]

    @property
    def max_tokens(self) -> int:
        return self._shape[1]

    def _load(self, role: str):
        """The session (shared) and a tokenizer per role: "query" and "index" cut at the model's
        window and pad each batch to its longest text; "spans" neither cuts nor pads."""
        with self._loading:
            if self._session is None:
                import onnxruntime as ort

                model_dir = resolve_model_path(self.base)
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1  # parallel by calls at once (embed_batch), not within one
                self._session = ort.InferenceSession(str(export_int8(model_dir, self.cache_dir)), options,
                                                     providers=["CPUExecutionProvider"])
                self._model_dir = model_dir
            if role not in self._tokenizers:
                self._tokenizers[role] = wordpieces(self._model_dir, None if role == "spans" else self.max_tokens)
        return self._session, self._tokenizers[role]

    def embed_batch(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        role = "query" if query else "index"
        session, tokenizer = self._load(role)
        order = np.argsort([len(t) for t in texts])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        size = min(self.batch_size, QUERY_BATCH) if query else self.batch_size

        def run(rows: np.ndarray, batch: dict) -> None:  # onnxruntime lets calls on one session overlap
            out[rows] = _mean_pool(session.run(None, batch)[0], batch["attention_mask"])

        with self._locks[role]:  # the tokenizer is read by this thread only
            batches = [(rows, _inputs(tokenizer.encode_batch([texts[r] for r in rows])))
                       for rows in (order[i : i + size] for i in range(0, len(texts), size))]
            if len(batches) == 1 or self.calls == 1:
                for rows, batch in batches:
                    run(rows, batch)
            else:
                list(self._pools[role].map(lambda item: run(*item), batches))
        return out

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        _, tokenizer = self._load("spans")
        return [span for span in tokenizer.encode(text, add_special_tokens=False).offsets if span[1] > span[0]]


def _inputs(encoded: list) -> dict[str, np.ndarray]:
    return {name: np.array([getattr(e, field) for e in encoded], dtype=np.int64)
            for name, field in zip(INPUTS, ("ids", "attention_mask", "type_ids"))}


def wordpieces(model_dir: str, window: int | None):
    """The model's own fast tokenizer (its tokenizer.json, read by the `tokenizers` library that
    transformers wraps: the same ids and offsets, without importing transformers and torch, about
    4 s of every process's start). With a window, texts are cut to it and a batch is padded to its
    longest text, as transformers' tokenizer(padding=True, truncation=True) does."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    if window is not None:
        tokenizer.enable_truncation(window)
        pad = json.loads((Path(model_dir) / "tokenizer_config.json").read_text()).get("pad_token", "[PAD]")
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad), pad_token=pad)
    return tokenizer


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    mask = mask[..., None].astype(np.float32)
    pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


if __name__ == "__main__":  # export_int8's child: model folder, fp32 file, int8 file
    try:
        _export_and_quantize(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
    except ImportError as exc:
        print(exc.name or "onnxruntime")
        sys.exit(MISSING)
