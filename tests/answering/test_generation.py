"""Prompting, provider errors and the service's generated path with a scripted model."""
import pytest

from rag.config import Generation
from rag.errors import ProviderError
from rag.answering.generation import LLM, build_messages
from rag.records import Chunk, Hit


def hit(text="Xi told Biden it would protect core interests.", date="2024-11-20"):
    chunk = Chunk(id="a" * 32, source="s.txt", title="Korea", date=date, start=0, end=len(text),
                  text=text, sentences=[(0, len(text))])
    return Hit(chunk, 1.0)


def test_prompt_numbers_sources_with_dates_and_keeps_history():
    history = [{"role": "user", "content": "Earlier?"}, {"role": "assistant", "content": "Yes."}]
    messages = build_messages("What did Xi say?", [hit(), hit(date=None)], history)
    assert messages[0]["role"] == "system" and "[n]" in messages[0]["content"]
    assert messages[1:3] == history
    prompt = messages[-1]["content"]
    assert "[1] Korea (date: 2024-11-20" in prompt and "[2] Korea (date: unknown" in prompt
    assert prompt.rstrip().endswith("Answer with [n] citations:") and "What did Xi say?" in prompt


def test_missing_key_fails_fast_without_network(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ProviderError, match="needs an API key: set OPENAI_API_KEY"):
        LLM(Generation()).complete("openai/gpt-4o-mini", [{"role": "user", "content": "hi"}])


def test_key_comes_from_the_named_env_var_and_is_never_in_errors(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-secret-123")
    llm = LLM(Generation(api_key_env="MY_KEY", api_base="http://127.0.0.1:9", timeout=2))
    assert llm._options("openai/x")["api_key"] == "sk-secret-123"
    with pytest.raises(ProviderError) as info:
        llm.complete("openai/x", [{"role": "user", "content": "hi"}])
    assert "sk-secret" not in str(info.value) and "could not connect" in str(info.value)
