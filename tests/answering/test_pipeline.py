"""The generated path through the service, with a scripted model in place of litellm."""
import pytest

from rag.errors import ProviderError, UserInputError


class ScriptedLLM:
    def __init__(self, reply="", fail=None):
        self.reply, self.fail, self.calls = reply, fail, []

    def complete(self, model, messages):
        self.calls.append(messages)
        if self.fail:
            raise ProviderError(self.fail)
        return self.reply

    def stream(self, model, messages):
        self.calls.append(messages)
        for word in self.reply.split(" "):
            yield word + " "
        if self.fail:
            raise ProviderError(self.fail)


@pytest.fixture
def service(fake_service):
    fake_service.index.run()
    return fake_service.reconfigured(generation__model="scripted/model")


SEED_SENTENCE = ("Last week, Xi told Biden at the Asia-Pacific Economic Cooperation summit in Peru that "
                 "Beijing “does not allow conflict and turmoil to happen on the Korean Peninsula,” "
                 "state-run Xinhua News Agency reported.")


def test_generated_answer_is_grounded(service):
    service.answers.llm = ScriptedLLM(SEED_SENTENCE + " [3]")
    answer = service.answers.ask("What did Xi tell Biden at the summit in Peru?")
    assert answer.model == "scripted/model" and not answer.not_found
    assert answer.citations[0].quote == SEED_SENTENCE and answer.answer.endswith("[1]")


def test_provider_failure_falls_back_to_extractive_with_reason(service):
    service.answers.llm = ScriptedLLM(fail="Model scripted/model failed: could not connect to the provider.")
    answer = service.answers.ask("What did Xi tell Biden at the summit in Peru?")
    assert answer.model == "extractive" and answer.citations
    assert answer.note.startswith("Model scripted/model failed: could not connect")


def test_no_support_means_not_found_without_calling_the_model(service):
    service.answers.llm = ScriptedLLM("Brazil has 200 million people [1].")
    answer = service.answers.ask("Penguins waddle quickly?")
    assert answer.not_found and service.answers.llm.calls == [] and "not asked" in answer.note


def test_ungrounded_model_answer_is_replaced_by_extractive(service):
    service.answers.llm = ScriptedLLM("Penguins are birds that cannot fly [1].")
    answer = service.answers.ask("What did Xi tell Biden at the summit in Peru?")
    assert answer.model == "extractive" and "could not be matched" in answer.note
    assert "Penguins" not in answer.answer


def test_stream_sends_tokens_then_one_checked_final_result(service):
    service.answers.llm = ScriptedLLM(SEED_SENTENCE + " [1]")
    events = list(service.answers.ask_stream("What did Xi tell Biden at the summit in Peru?"))
    assert [e["type"] for e in events[:-1]] == ["token"] * (len(events) - 1) and events[-1]["type"] == "final"
    assert "".join(e["text"] for e in events[:-1]).strip() == SEED_SENTENCE + " [1]"
    assert events[-1]["result"]["citations"][0]["quote"] == SEED_SENTENCE


def test_stream_failure_midway_ends_with_the_fallback(service):
    service.answers.llm = ScriptedLLM("Xi told", fail="Model scripted/model failed: no answer within 1 s.")
    events = list(service.answers.ask_stream("What did Xi tell Biden at the summit in Peru?"))
    final = events[-1]["result"]
    assert final["model"] == "extractive" and "no answer within" in final["note"]


def test_follow_up_is_condensed_and_returned(service):
    service.answers.llm = ScriptedLLM(SEED_SENTENCE + " [1]")
    history = [{"role": "user", "content": "What did Xi tell Biden?"},
               {"role": "assistant", "content": "He said ... [1]"}]
    service.answers.llm.complete = lambda model, messages: (
        "Where did Xi tell Biden that?" if "Rewrite" in messages[-1]["content"] else SEED_SENTENCE + " [1]")
    answer = service.answers.ask("Where did he tell him that?", history=history)
    assert answer.query == "Where did Xi tell Biden that?"


def test_unknown_model_is_refused(service):
    with pytest.raises(UserInputError, match="Unknown model"):
        service.answers.ask("Xi?", model="evil/model")


def test_the_extractive_model_never_calls_the_llm(service):
    service.answers.llm = ScriptedLLM(fail="must not be called")
    answer = service.answers.ask("What did Xi tell Biden?", model="extractive")
    assert answer.model == "extractive" and not answer.not_found and service.answers.llm.calls == []


def test_search_returns_the_live_versions_hits_and_checks_its_input(service):
    hits = service.answers.search("What did Xi tell Biden?", top_k=2)
    assert len(hits) == 2 and hits[0].score >= hits[1].score
    live = service.index.snapshot().documents
    assert all(h.chunk.source in live for h in hits)
    with pytest.raises(UserInputError, match="top_k"):
        service.answers.search("Xi?", top_k=0)
    with pytest.raises(UserInputError, match="empty"):
        service.answers.search("  ")


def test_a_summary_reads_the_best_documents_chunks_in_order(service):
    answer = service.answers.ask("Summarize the article", model="extractive")
    starts = [c.start for c in answer.citations]
    assert answer.citations and starts == sorted(starts)
    assert {c.source for c in answer.citations} == {"000_dce0e35cb16ddf61.txt"}


def test_every_citation_of_the_gate_points_into_the_hits_it_was_given(service):
    hits = service.answers.search("What did Xi tell Biden?")
    answer = service.answers.gate.answer("What did Xi tell Biden?", hits)
    chunk_ids = {h.chunk.id for h in hits}
    assert answer.citations and all(c.chunk_id in chunk_ids for c in answer.citations)


@pytest.mark.parametrize("llm, outcome", [
    (ScriptedLLM(SEED_SENTENCE + " [3]"), "answered"),
    (ScriptedLLM(SEED_SENTENCE + " [3] Penguins are birds that cannot fly [1]."), "unsupported"),
    (ScriptedLLM("Penguins are birds that cannot fly [1]."), "ungrounded"),
    (ScriptedLLM(fail="Model scripted/model failed: could not connect to the provider."), "fallback"),
])
def test_observers_hear_each_answer_with_its_id_outcome_and_timings(service, llm, outcome):
    heard = []
    service.answers.observers.append(heard.append)
    service.answers.llm = llm
    answer = service.answers.ask("What did Xi tell Biden at the summit in Peru?")
    streamed = list(service.answers.ask_stream("What did Xi tell Biden at the summit in Peru?"))[-1]["result"]
    assert [h.outcome for h in heard] == [outcome, outcome]
    assert heard[0].answer is answer and len(answer.answer_id) == 32 and streamed["answer_id"] == heard[1].answer.answer_id
    assert heard[0].seconds >= heard[0].retrieval_seconds > 0 and heard[0].hits
    assert (heard[0].generation_seconds > 0) == (outcome != "fallback")


def test_a_not_found_is_heard_and_a_failing_observer_costs_nothing(service):
    heard = []
    service.answers.observers[:0] = [lambda asked: 1 / 0]
    service.answers.observers.append(heard.append)
    answer = service.answers.ask("Penguins waddle quickly?")
    assert answer.not_found and [h.outcome for h in heard] == ["not_found"]
