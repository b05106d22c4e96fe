"""The real offline generator, SmolLM2-135M, through litellm: completion, streaming, grounding."""
import asyncio
import re

import pytest

from rag.service import build_service

from tests.conftest import SEED_FILE, make_settings

slow = pytest.mark.slow  # the real model; the cache tests at the end are fast
MODEL = "local/smollm2-135m"


@pytest.fixture(scope="module")
def litellm():
    from rag.answering import local_llm
    from rag.config import Generation
    from rag.answering.generation import LLM

    return LLM(Generation(), providers=(local_llm.register,)).litellm()


@slow
def test_completion_sync_and_async(litellm):
    messages = [{"role": "user", "content": "Reply with one short greeting."}]
    response = litellm.completion(model=MODEL, messages=messages, max_tokens=12)
    assert response.choices[0].message.content.strip()

    async def run():
        return await litellm.acompletion(model=MODEL, messages=messages, max_tokens=12)

    assert asyncio.run(run()).choices[0].message.content.strip()


@slow
def test_streaming_yields_several_pieces(litellm):
    pieces = [c.choices[0].delta.content for c in litellm.completion(
        model=MODEL, messages=[{"role": "user", "content": "Count from one to five."}], max_tokens=24, stream=True)]
    text = [p for p in pieces if p]
    assert len(text) > 3 and "".join(text).strip()


@pytest.fixture(scope="module")
def service(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("gen")
    (root / "seeds").mkdir()
    (root / "seeds" / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    svc = build_service(make_settings(root / "seeds", root / "index", generation__model=MODEL), real_embedder)
    svc.index.run()
    return svc


@slow
def test_the_model_loads_once_and_answers_alike_every_time(litellm):
    from rag.answering import local_llm

    messages = [{"role": "user", "content": "Name one colour."}]
    first = "".join(local_llm.generate("smollm2-135m", messages, max_tokens=8))
    assert first.strip() and local_llm.load("smollm2-135m") is local_llm.load("smollm2-135m")
    assert "".join(local_llm.generate("smollm2-135m", messages, max_tokens=8)) == first  # greedy, seeded


@slow
def test_a_model_too_slow_for_its_timeout_is_stopped_with_a_reason(litellm):
    from rag.answering import local_llm
    from rag.errors import ProviderError

    with pytest.raises(ProviderError, match="did not finish within"):
        list(local_llm.generate("smollm2-135m", [{"role": "user", "content": "Tell a long story."}],
                                max_tokens=4000, timeout=0.3))


def _check_grounded(result: dict):
    text = SEED_FILE.read_text(encoding="utf-8")
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])}
    assert markers and markers == {c["id"] for c in result["citations"]}
    for c in result["citations"]:
        assert text[c["start"] : c["end"]] == c["quote"] and c["quote"] in c["text"]


@slow
def test_generated_answer_cites_only_checked_sentences(service):
    answer = service.answers.ask("What did Xi tell Biden?")  # greedy decoding: the same answer every run
    assert answer.model == MODEL and not answer.not_found and answer.note is None
    assert "core interests" in answer.answer
    _check_grounded(answer.model_dump(mode="json"))


@slow
def test_a_generated_answer_nothing_supports_falls_back_to_the_checked_extract(service):
    answer = service.answers.ask("Who did Wang Yi meet?")  # the tiny model's reply matches no retrieved sentence
    assert answer.model == "extractive" and "could not be matched" in answer.note
    assert "Lavrov" in answer.answer
    _check_grounded(answer.model_dump(mode="json"))


@slow
def test_streamed_answer_ends_with_a_checked_result(service):
    events = list(service.answers.ask_stream("What did Xi tell Biden?"))
    assert sum(e["type"] == "token" for e in events) > 1 and events[-1]["type"] == "final"
    _check_grounded(events[-1]["result"])


@slow
def test_unanswerable_question_never_reaches_the_model(service):
    answer = service.answers.ask("What is the population of Brazil?")
    assert answer.not_found and answer.citations == [] and answer.model == "extractive"


@slow
def test_the_local_model_as_judge_echoes_the_schema_so_the_local_checks_decide(litellm):
    from rag.answering.generation import LLM
    from rag.answering.judge import JudgedVerifier
    from rag.answering.verifier import Claim
    from rag.config import Generation

    from tests.answering.test_judge import EVIDENCE, LOCAL

    judge = JudgedVerifier(LLM(Generation(max_tokens=24)), MODEL, LOCAL)
    swapped = judge.verify(Claim("Biden told Xi in Peru that Beijing does not allow conflict."), EVIDENCE)
    assert swapped.check == "roles"  # greedy decoding: its reply repeats the prompt's schema, no verdict
    assert swapped.reason.endswith("(The judge could not decide: local/smollm2-135m gave no verdict in the JSON "
                                   "asked for.)")


def test_an_unknown_local_model_is_named_with_those_there_are():
    from rag.answering import local_llm
    from rag.errors import ProviderError

    with pytest.raises(ProviderError, match="local/smollm2-135m"):
        local_llm.gguf_location("llama-70b")
