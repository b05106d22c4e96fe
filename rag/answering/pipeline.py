"""The one path a question takes: check -> condense -> retrieve (fuse, rerank) -> answer -> ground.

The extractive answerer always runs: it is the answer when `model` names it, the gate that keeps
an LLM from being asked when nothing retrieved answers, and the fallback when a provider fails
or writes nothing the documents support. Whatever writes the answer, no citation can point
outside the retrieved chunks.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

from rag.config import TOP_K_MAX, Settings
from rag.answering.conversation import check_history, condense
from rag.errors import ProviderError, UserInputError
from rag.answering.evidence import asks_for_summary
from rag.answering.filters import check_filters, matching
from rag.answering.generation import build_messages
from rag.records import Answer, Asked, Filters, Hit
from rag.registry import Registry

EXTRACTIVE = "extractive"
SUMMARY_CHUNKS = 60  # a summary reads at most this many chunks of its document
NOT_ASKED = "Nothing in the documents answers this closely enough, so the model was not asked."
UNGROUNDED = ("The answer of {model} could not be matched to the documents; "
              "showing the extracted sentences instead.")
UNSUPPORTED = "Sentences marked (unsupported) are not backed by the documents."
NO_MATCH = "No document matches these filters, so nothing was searched."


class Answerer(Protocol):
    """Writes an answer from the retrieved hits alone, each sentence cited (no LLM): a class
    `(embedder, answer_settings, sentence_cache, verifier)`, registered in ANSWERERS, that a request's `model`
    (or generation.model) names."""

    def answer(self, question: str, hits: list[Hit]) -> Answer: ...


class Gate(Answerer, Protocol):
    """The extractive answerer's part in every question: the answer when `model` is extractive,
    the judge of whether anything retrieved answers before an LLM is asked, the fallback when a
    provider fails, and the summary of a document asked about as a whole."""

    def summarize(self, question: str, hits: list[Hit]) -> Answer: ...


ANSWERERS = Registry("generation.model", {EXTRACTIVE: "rag.answering.extractive:ExtractiveAnswerer"})


class AnswerPipeline:
    def __init__(self, settings: Settings, snapshot: Callable, retriever, answerers: dict[str, Answerer],
                 grounder, llm):
        self.settings = settings
        self.snapshot = snapshot  # the live index version, at the moment a question starts
        self.retriever = retriever
        self.answerers = answerers  # by name, every entry of ANSWERERS
        self.gate: Gate = answerers[EXTRACTIVE]
        self.grounder = grounder
        self.llm = llm
        self._judges: dict[str, object] = {}  # by model, under grounding.verifier: llm (each keeps its cache)
        self.observers: list[Callable[[Asked], None]] = []  # told of every answer: the answer log, metrics

    def ask(self, question: str, *, history: list[dict] | None = None, top_k: int | None = None,
            model: str | None = None, filters=None) -> Answer:
        """The answer, whatever wrote it, with citations checked against the retrieved text;
        `filters` (records.Filters, or its dict) narrow the documents searched."""
        turn = self._prepare(question, history, top_k, model, filters)
        if turn.settled is not None:
            return self._told(turn, turn.settled)
        try:
            text = self.llm.complete(turn.model, build_messages(turn.question, turn.hits, turn.history))
        except ProviderError as exc:
            return self._told(turn, self._fallback(turn, str(exc)))
        turn.generated = time.perf_counter()
        return self._told(turn, self._grounded(turn, text))

    def ask_stream(self, question: str, *, history: list[dict] | None = None, top_k: int | None = None,
                   model: str | None = None, filters=None) -> Iterator[dict]:
        """Events: {"type": "token", "text"} while the answer is written, then
        {"type": "final", "result": <ask result>}; the final result is authoritative."""
        turn = self._prepare(question, history, top_k, model, filters)
        if turn.settled is not None:
            yield {"type": "token", "text": turn.settled.answer}
            yield _final(self._told(turn, turn.settled))
            return
        pieces: list[str] = []
        try:
            for piece in self.llm.stream(turn.model, build_messages(turn.question, turn.hits, turn.history)):
                pieces.append(piece)
                yield {"type": "token", "text": piece}
        except ProviderError as exc:
            yield _final(self._told(turn, self._fallback(turn, str(exc))))
            return
        turn.generated = time.perf_counter()
        yield _final(self._told(turn, self._grounded(turn, "".join(pieces))))

    def search(self, query: str, top_k: int | None = None, filters=None) -> list[Hit]:
        """The hits a query gets from the live index, as a question would (no answer written)."""
        query = check_question(query, self.settings.server.max_question_chars)
        top_k = check_top_k(top_k, self.settings.retrieval.top_k)
        return self.retriever.search(searched(self.snapshot(), check_filters(filters)), query, top_k)

    def _summary_hits(self, snapshot, hits: list[Hit]) -> list[Hit]:
        """The chunks of the document a summary is asked of: the best hit's (or the only one)."""
        if hits:
            source = hits[0].chunk.source
        elif len(snapshot.documents) == 1:
            (source,) = snapshot.documents
        else:
            return []
        return [Hit(chunk, 1.0) for chunk in snapshot.document_chunks(source, SUMMARY_CHUNKS)]

    def _told(self, turn: "_Turn", answer: Answer) -> Answer:
        """The answer, with its id, once every observer has heard of it (an observer that fails is
        logged, never the question's failure)."""
        answer.answer_id = uuid.uuid4().hex
        now = time.perf_counter()
        asked = Asked(turn.question, answer, turn.hits, turn.outcome, now - turn.started,
                      turn.retrieved - turn.started, (turn.generated or turn.retrieved) - turn.retrieved)
        for observe in self.observers:
            try:
                observe(asked)
            except Exception:  # noqa: BLE001 - a log or a counter must not cost the user the answer
                logging.getLogger(__name__).exception("an answer observer failed")
        return answer

    def _prepare(self, question, history, top_k, model, filters=None) -> "_Turn":
        started = time.perf_counter()
        question = check_question(question, self.settings.server.max_question_chars)
        history = check_history(history)
        top_k = check_top_k(top_k, self.settings.retrieval.top_k)
        model = check_model(model, self.settings.generation, self.answerers)
        filters = check_filters(filters)
        snapshot = searched(self.snapshot(), filters)
        query = condense(question, history, self._rewriter(model))
        hits = self.retriever.search(snapshot, query, top_k)
        retrieved = time.perf_counter()
        if asks_for_summary(query):  # about a document as a whole: its most central sentences
            hits = self._summary_hits(snapshot, hits)
            extractive = self.gate.summarize(query, hits)
        else:
            extractive = self.gate.answer(query, hits)
        turn = _Turn(question, history, query, model, hits, snapshot.name, extractive,
                     started=started, retrieved=retrieved, urls=_urls(snapshot, hits), filters=filters)
        if model in self.answerers:
            answer = extractive if model == EXTRACTIVE else self.answerers[model].answer(query, hits)
            turn.settled = turn.finish(answer, model)
            turn.outcome = "not_found" if answer.not_found else "answered"
        elif extractive.not_found:
            turn.settled = turn.finish(extractive, EXTRACTIVE, NOT_ASKED)
            turn.outcome = "not_found"
        return turn

    def _rewriter(self, model: str):
        if model in self.answerers:
            return None
        return lambda prompt: self.llm.complete(model, [{"role": "user", "content": prompt}])

    def _judge(self, model: str):
        """The LLM judge for an answer `model` wrote, under grounding.verifier: llm; else None (local)."""
        s = self.settings.grounding
        if s.verifier != "llm":
            return None
        judge = s.judge_model or model
        if judge not in self._judges:
            from rag.answering.judge import JudgedVerifier

            self._judges[judge] = JudgedVerifier(self.llm, judge, self.grounder.verifier)
        return self._judges[judge]

    def _fallback(self, turn: "_Turn", reason: str) -> Answer:
        turn.outcome = "fallback"
        return turn.finish(turn.extractive, EXTRACTIVE, f"{reason} Showing the extracted sentences instead.")

    def _grounded(self, turn: "_Turn", text: str) -> Answer:
        answer = self.grounder.ground(text, turn.hits, turn.query, self._judge(turn.model))
        if answer is None:
            turn.outcome = "ungrounded"
            return turn.finish(turn.extractive, EXTRACTIVE, UNGROUNDED.format(model=turn.model))
        note = UNSUPPORTED if any(p.unsupported for p in answer.parts) else None
        turn.outcome = "unsupported" if note else "answered"
        return turn.finish(answer, turn.model, note)


@dataclass
class _Turn:
    """One question on its way through the pipeline."""

    question: str
    history: list[dict]
    query: str
    model: str
    hits: list
    version: str
    extractive: Answer
    settled: Answer | None = None
    outcome: str = "answered"
    started: float = 0.0  # perf_counter at the question's start, at retrieval's end, at generation's end
    retrieved: float = 0.0
    generated: float | None = None
    urls: dict = field(default_factory=dict)  # source -> the URL it was fetched from
    filters: Filters | None = None

    def finish(self, answer: Answer, model: str, note: str | None = None) -> Answer:
        answer.query, answer.model, answer.index_version = self.query, model, self.version
        answer.note = note or answer.note
        answer.filters = self.filters
        if self.filters is not None and not self.hits and answer.not_found:
            answer.note = NO_MATCH
        for citation in answer.citations:
            citation.url = self.urls.get(citation.source)
        return answer


def searched(snapshot, filters: Filters | None):
    """The live version, narrowed to the documents the filters admit."""
    return snapshot if filters is None else snapshot.restricted(matching(snapshot.documents, filters))


def _urls(snapshot, hits) -> dict[str, str]:
    documents = snapshot.documents
    return {h.chunk.source: documents[h.chunk.source]["url"] for h in hits
            if documents.get(h.chunk.source, {}).get("url")}


def _final(answer: Answer) -> dict:
    return {"type": "final", "result": answer.model_dump(mode="json")}


def check_question(question, limit: int) -> str:
    if not isinstance(question, str) or not question.strip():
        raise UserInputError("The question is empty; ask something about the documents.")
    if len(question) > limit:
        raise UserInputError(f"The question is {len(question)} characters long; the limit is {limit}.")
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question).strip()
    if not cleaned:
        raise UserInputError("The question holds no readable text.")
    return cleaned


def check_top_k(top_k, default: int) -> int:
    if top_k is None:
        return default
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= TOP_K_MAX:
        raise UserInputError(f"top_k must be a whole number from 1 to {TOP_K_MAX}.")
    return top_k


def check_model(model, generation, answerers: dict) -> str:
    if model is None:
        return generation.model
    allowed = list(dict.fromkeys([*generation.allowed(), *answerers]))
    if model not in allowed:
        raise UserInputError(f"Unknown model '{model}'; choose one of: {', '.join(sorted(allowed))}.")
    return model
