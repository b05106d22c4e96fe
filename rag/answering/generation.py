"""Every LLM call goes through litellm, so any provider works by configuration.

Provider failures become one `ProviderError` with a one-line reason; the service then
falls back to the extractive answer.
"""
from __future__ import annotations

import os
from typing import Iterator

from rag.config import Generation
from rag.errors import ProviderError
from rag.records import Hit
from rag.registry import Registry

SYSTEM_PROMPT = (
    "You answer questions using only the numbered sources you are given. "
    "After every sentence, cite the source that supports it as [n]. "
    "Use each source's date to interpret words like 'last week'. "
    "If the sources do not contain the answer, reply exactly: "
    "\"The documents do not contain an answer to this question.\""
)


def build_messages(question: str, hits: list[Hit], history: list[dict] | None = None) -> list[dict]:
    sources = "\n\n".join(
        f"[{i}] {h.chunk.title} (date: {h.chunk.date or 'unknown'}, file: {h.chunk.source})\n{h.chunk.text}"
        for i, h in enumerate(hits, start=1)
    )
    turns = [{"role": t["role"], "content": t["content"]} for t in (history or [])[-6:]]
    prompt = f"Sources:\n\n{sources}\n\nQuestion: {question}\nAnswer with [n] citations:"
    return [{"role": "system", "content": SYSTEM_PROMPT}, *turns, {"role": "user", "content": prompt}]


# Functions that register custom litellm providers, all called once before the first LLM call.
PROVIDERS = Registry("a litellm provider", {"local": "rag.answering.local_llm:register"})  # local/smollm2-135m


class LLM:
    """litellm with the configured api_base, key, timeout and retries. `providers` (default: every
    entry of PROVIDERS) are called once, before the first call, to register custom providers."""

    def __init__(self, settings: Generation, providers: tuple | None = None):
        self.settings = settings
        self.providers = tuple(PROVIDERS.load_all().values()) if providers is None else providers
        self._registered = False

    def litellm(self):
        litellm = load_litellm()
        if not self._registered:
            for register in self.providers:
                register()
            self._registered = True
        return litellm

    def _options(self, model: str) -> dict:
        s = self.settings
        options = {"model": model, "temperature": s.temperature, "max_tokens": s.max_tokens,
                   "timeout": s.timeout, "num_retries": s.retries}
        if s.api_key_env and os.environ.get(s.api_key_env):
            options["api_key"] = os.environ[s.api_key_env]
        if s.api_base:
            options["api_base"] = s.api_base
            options.setdefault("api_key", "none")  # OpenAI-compatible local servers need no key
        elif "api_key" not in options:
            _require_key(model, s)
        return options

    def complete(self, model: str, messages: list[dict]) -> str:
        litellm = self.litellm()
        try:
            response = litellm.completion(messages=messages, **self._options(model))
            return response.choices[0].message.content or ""
        except ProviderError:
            raise
        except Exception as exc:  # litellm raises many provider-specific types
            raise ProviderError(describe_failure(model, exc, self.settings)) from None

    def stream(self, model: str, messages: list[dict]) -> Iterator[str]:
        litellm = self.litellm()
        try:
            for chunk in litellm.completion(messages=messages, stream=True, **self._options(model)):
                piece = chunk.choices[0].delta.content if chunk.choices else None
                if piece:
                    yield piece
        except ProviderError:
            raise
        except Exception as exc:
            raise ProviderError(describe_failure(model, exc, self.settings)) from None


def _require_key(model: str, settings: Generation) -> None:
    """Fail fast, without a network call, when the provider's key is not set."""
    if model.startswith("local/"):
        return
    missing = [k for k in load_litellm().validate_environment(model).get("missing_keys", []) if "KEY" in k]
    if missing:
        hint = " or name another variable in generation.api_key_env" if not settings.api_key_env else ""
        raise ProviderError(f"Model {model} needs an API key: set {missing[0]}{hint}.")


def load_litellm():
    """litellm, quiet and offline (no telemetry); providers are registered by `LLM`."""
    try:
        import litellm
    except ImportError:
        from rag.errors import MissingDependencyError

        raise MissingDependencyError("litellm") from None
    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


def describe_failure(model: str, exc: Exception, settings: Generation) -> str:
    """One line a user can act on, never a traceback and never the key."""
    return f"Model {model} failed: {_reason(exc, settings)}."


def _reason(exc: Exception, settings: Generation) -> str:
    import httpx
    import litellm

    chain = list(_causes(exc))
    where = f" at {settings.api_base}" if settings.api_base else ""
    # litellm wraps some transport failures as server errors: the cause chain says what happened
    if any(isinstance(e, (litellm.Timeout, httpx.TimeoutException, TimeoutError)) for e in chain):
        return f"no answer within {settings.timeout:g} s"
    if any(isinstance(e, (httpx.ConnectError, ConnectionError)) for e in chain):
        return f"could not connect to the provider{where}"
    kinds = [
        (litellm.AuthenticationError, "the API key was rejected"),
        (litellm.RateLimitError, "the provider is rate limiting requests (429)"),
        (litellm.APIConnectionError, f"could not connect to the provider{where}"),
        (litellm.NotFoundError, "the provider does not know this model"),
        (litellm.BadRequestError, "the provider rejected the request"),
        (litellm.ServiceUnavailableError, "the provider is unavailable"),
        (litellm.InternalServerError, "the provider returned a server error"),
        (litellm.APIError, "the provider returned an error"),
    ]
    for kind, reason in kinds:
        if isinstance(exc, kind):
            return reason
    return f"unexpected {type(exc).__name__}"


def _causes(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
