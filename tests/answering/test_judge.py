"""grounding.verifier: llm: a judge's strict JSON read, cached, and its failures left to the local checks."""
import json

import pytest

from rag.answering.judge import PROMPT, JudgedVerifier, parse_judgement
from rag.answering.verifier import Claim, Evidence, Verifier
from rag.config import Generation
from rag.errors import ProviderError

from tests.openai_stub import Stub

SENTENCE = ("Last week, Xi told Biden at the Asia-Pacific Economic Cooperation summit in Peru that "
            "Beijing “does not allow conflict and turmoil to happen on the Korean Peninsula,” "
            "state-run Xinhua News Agency reported.")
EVIDENCE = Evidence(best=SENTENCE, sentences=(SENTENCE,), passage=SENTENCE, context="Seeds")
LOCAL = Verifier(["roles", "negation", "specifics", "novel"])


def verdict(status, reason="because"):
    return json.dumps({"verdict": status, "reason": reason})


def test_a_judgement_is_read_from_the_first_json_object_of_that_shape():
    assert parse_judgement('Sure! {"verdict": "Contradicted", "reason": "It says Xi, not Biden."}').status == "contradicted"
    assert parse_judgement(verdict("supported")).reason is None
    assert parse_judgement('{"x": 1} then {"verdict": "unsupported"}').reason == "The judge gave no reason."
    assert parse_judgement("Yes, it is supported.") is None
    assert parse_judgement('{"verdict": "maybe"}') is None


class Scripted:
    """An LLM client whose replies are scripted, counting its calls."""

    def __init__(self, *replies):
        self.replies, self.calls = list(replies), []

    def complete(self, model, messages):
        self.calls.append((model, messages))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def test_the_judge_decides_and_is_asked_once_per_claim_and_evidence():
    llm = Scripted(verdict("contradicted", "The passage says Xi told Biden."))
    judge = JudgedVerifier(llm, "judge-model", LOCAL)
    claim = Claim("Biden told Xi that Beijing does not allow conflict on the Korean Peninsula.")
    first = judge.verify(claim, EVIDENCE)
    assert (first.status, first.reason, first.check) == ("contradicted", "The passage says Xi told Biden.", "llm")
    assert judge.verify(claim, EVIDENCE) == first and len(llm.calls) == 1
    model, messages = llm.calls[0]
    assert model == "judge-model" and messages[0]["content"] == PROMPT and SENTENCE in messages[1]["content"]


def test_without_a_verdict_the_local_checks_decide_and_say_the_judge_could_not():
    llm = Scripted("I think so.", ProviderError("Model judge-model failed: the provider is unavailable."))
    judge = JudgedVerifier(llm, "judge-model", LOCAL)
    kept = judge.verify(Claim("Xi told Biden that Beijing does not allow conflict on the Korean Peninsula."), EVIDENCE)
    assert kept.supported
    refused = judge.verify(Claim("Xi told Biden in 2019 that Beijing does not allow conflict."), EVIDENCE)
    assert refused.check == "specifics" and "“2019”" in refused.reason
    assert "The judge could not decide: Model judge-model failed: the provider is unavailable." in refused.reason


@pytest.mark.slow
def test_an_llm_judge_behind_a_real_openai_compatible_server(fake_service):
    """The answering model writes two sentences; the judge (the same server, asked with the judge's
    prompt) finds the second contradicted. Through litellm, HTTP on loopback and the pipeline."""
    answer = (f"{SENTENCE} [1] Biden told Xi that Beijing does not allow conflict and turmoil on the "
              f"Korean Peninsula [1].")

    def script(body):
        messages = body["messages"]
        if messages[0]["content"] != PROMPT:
            return answer
        claim = messages[-1]["content"].split("Claim: ", 1)[1]
        return verdict("contradicted", "It is Xi who told Biden.") if claim.startswith("Biden") else verdict("supported")

    server = Stub("ok", script)
    try:
        service = fake_service.reconfigured(generation__model="openai/stub", generation__api_base=server.url,
                                            generation__timeout=5, grounding__verifier="llm")
        service.index.run()
        result = service.answers.ask("What did Xi tell Biden at the summit in Peru?")
        judged = [r for r in server.requests if r["messages"][0]["content"] == PROMPT]
    finally:
        server.close()
    assert result.model == "openai/stub" and len(judged) == 2
    assert [(p.unsupported, p.check) for p in result.parts] == [(False, None), (True, "llm")]
    assert result.parts[1].reason == "It is Xi who told Biden."
