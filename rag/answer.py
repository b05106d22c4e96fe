"""The embedded default answerer: no LLM, only the exact sentences that answer.

Candidate sentences come from the retrieved chunks only, so a citation can never point
outside what was retrieved. A sentence is judged with its passage: its evidence is its
similarity to the question, the question's key terms it holds, those its paragraph and title
hold (a term the sentence leaves implicit but its passage states still counts), and whether it
holds the kind of answer asked for (a date for "when"). A sentence that opens with a pronoun
("It was commissioned by Odo.") is read together with the sentence before it, and cites it too
when that one holds question terms it lacks. The best sentence leads; another is added only
when it covers question terms the ones before do not, and not at all when the best one holds
the date, number or name a "when", "how many" or "who" asks for. When nothing reaches the
threshold, or the question names a specific (a number, a year, a name) that the cited passages
do not hold, or the best sentence has the question's names the other way round, or a "when" gets
no date or time, the service says the documents do not hold the answer, and why.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from rag import config
from rag.embedding import Embedder, VectorCache, embed_one
from rag.evidence import (asks_what_is_presupposed, asks_when, denied, gives_time, missing_specifics,
                          paragraph, short_span, slot_taken, subject_taken, wanted)
from rag.language.words import key_terms
from rag.records import Answer, AnswerPart, Chunk, Citation, Hit, ShortAnswer

NOT_FOUND = "The documents do not contain an answer to this question."
NOT_SUPPORTED = "The passages closest to the question do not mention {}."
NO_TIME = "The passages closest to the question give no date or time."
SWAPPED = "The passage closest to the question has its names the other way round: “{}”"
DENIED = "The passage closest to the question says otherwise: “{}”"
DUPLICATE_SIMILARITY = 0.92
LEAD = 0.1  # a summary favours the opening, where writers put what matters
COMPLETE = 0.999  # a sentence holding every key term of the question answers it on its own
# A sentence opening with a pronoun or a "but" leans on the one before: "It was commissioned by Odo."
LEANS_BACK = re.compile(r"^(it|its|he|his|she|her|they|their|this|these|those|but|yet)\b", re.I)


@dataclass
class Candidate:
    chunk: Chunk
    start: int
    end: int
    text: str
    row: int = 0  # its place in the chunk's sentences
    similarity: float = 0.0
    coverage: float = 0.0
    context_coverage: float = 0.0
    score: float = 0.0
    vector: np.ndarray | None = None
    terms: frozenset = frozenset()  # the question's key terms this sentence holds
    lead: "Candidate | None" = None  # the sentence before, when this one leans on it
    own_terms: frozenset = frozenset()  # of those, the ones in this sentence itself
    needs_lead: bool = False  # question terms only the lead holds: cite both
    swapped: bool = False  # it has the question's names in each other's roles (evidence.slot_taken, subject_taken)

    @property
    def passage(self) -> str:
        """What the sentence is read together with: its document's title, its section, its
        paragraph and the one before (as far as its chunk reaches)."""
        return self._around(before=1)

    @property
    def own_paragraph(self) -> str:
        """Its title, section and paragraph alone: where a specific the question names must be."""
        return self._around(before=0)

    def _around(self, before: int) -> str:
        section = self.chunk.section_at(self.start) or ""
        return f"{self.chunk.title}\n{section}\n{paragraph(self.chunk.text, self.start - self.chunk.start, before)}"


def candidates(hits: list[Hit]) -> list[Candidate]:
    """Every statement of the retrieved chunks once, in retrieval order (titles and
    datelines are headings, not statements, and never answer)."""
    seen, found = set(), []
    for hit in hits:
        chunk, before = hit.chunk, None
        for row, (start, end) in enumerate(chunk.sentences):
            text = chunk.sentence_text(start, end)
            if chunk.is_heading(start, end):
                before = None
                continue
            cand = Candidate(chunk, start, end, text, row)
            if before is not None and LEANS_BACK.match(text) and "\n" not in chunk.sentence_text(before.end, start):
                cand.lead = before
            before = cand
            if _key(cand) not in seen:
                seen.add(_key(cand))
                found.append(cand)
    return found


def score_candidates(embedder: Embedder, question: str, found: list[Candidate],
                     settings: config.Answer | None = None, cache: VectorCache | None = None) -> None:
    """Evidence for each candidate: similarity + coverage_weight x key terms it holds
    + context_weight x key terms its passage holds + type_bonus if it holds the kind of answer asked for."""
    if not found:
        return
    s = settings or config.Answer()
    texts = [c.text for c in found]  # (a lead is a retrieved sentence too: it is among them)
    vectors = sentence_vectors(embedder, found, cache)
    q = embed_one(embedder, question)
    sentence_terms = [set(key_terms(c.text)) for c in found]
    vector_of, terms_of = dict(zip(texts, vectors)), dict(zip(texts, sentence_terms))
    title_terms = {title: set(key_terms(title)) for title in {c.chunk.title for c in found}}
    weights = _idf(key_terms(question), sentence_terms)
    total = sum(weights.values())
    answer_kind = wanted(question)
    for cand, vector, terms in zip(found, vectors, sentence_terms):
        context = set(key_terms(cand.passage)) | terms
        cand.vector, cand.similarity = vector, float(vector @ q)
        cand.own_terms = own = frozenset(t for t in weights if t in terms)
        if cand.lead:
            cand.similarity = max(cand.similarity, _together(vector_of[cand.lead.text], vector, q))
            terms = terms | terms_of[cand.lead.text]  # a leaning sentence is read with its lead
        cand.terms = frozenset(t for t in weights if t in terms)
        cand.needs_lead = bool(cand.terms - own - title_terms[cand.chunk.title])  # the title is context enough
        cand.coverage = sum(weights[t] for t in cand.terms) / total if total else 0.0
        cand.context_coverage = sum(w for t, w in weights.items() if t in context) / total if total else 0.0
        cand.swapped = slot_taken(question, cand.text) or subject_taken(question, cand.text)
        kind = s.type_bonus if answer_kind is not None and answer_kind.search(cand.text) else 0.0
        cand.score = cand.similarity + s.coverage_weight * cand.coverage + s.context_weight * cand.context_coverage + kind


def sentence_vectors(embedder: Embedder, found: list[Candidate], cache: VectorCache | None = None) -> np.ndarray:
    """Each candidate's vector: the one kept from indexing when its chunk has them, else embedded now."""
    kept = [c.chunk.sentence_vectors[c.row] if c.chunk.sentence_vectors is not None else None for c in found]
    missing = [c.text for c, v in zip(found, kept) if v is None]
    if missing:
        fresh = iter(cache.embed(missing) if cache else embedder.embed_batch(missing, query=True))
        kept = [next(fresh) if v is None else v for v in kept]
    return np.vstack(kept)


def _together(first: np.ndarray, second: np.ndarray, q: np.ndarray) -> float:
    """The similarity of two sentences read as one: their vectors summed, as mean pooling over
    both would give, so no second embedding is needed."""
    both = first + second
    return float(both @ q) / float(np.linalg.norm(both))


def _idf(terms: list[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    n = len(sentence_terms)
    return {t: math.log(1 + n / (1 + sum(t in s for s in sentence_terms))) for t in set(terms)}


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder, settings: config.Answer, cache: VectorCache | None = None):
        self.embedder = embedder
        self.settings = settings
        self.cache = cache or VectorCache(embedder)

    def answer(self, question: str, hits: list[Hit]) -> Answer:
        return self.decide(question, self.evidence(question, hits))

    def decide(self, question: str, found: list[Candidate], settings: config.Answer | None = None) -> Answer:
        """The answer from scored candidates under the configured decision settings or `settings`
        (its threshold, length and checks; scored once, a sweep decides under many)."""
        s = settings or self.settings
        chosen = self.select(found, s)
        if not chosen:
            return not_found_answer(question)
        span = short_span(question, chosen[0].text)
        if span is not None:  # the best sentence holds the date, number or name asked for: it answers alone
            chosen = chosen[:1]
        unsupported = s.check_specifics and _unsupported(question, chosen)
        if unsupported:
            return not_found_answer(question, unsupported)
        return compose(chosen, question, span=span)

    def evidence(self, question: str, hits: list[Hit]) -> list[Candidate]:
        found = candidates(hits)
        score_candidates(self.embedder, question, found, self.settings, self.cache)
        return found

    def select(self, found: list[Candidate], settings: config.Answer | None = None) -> list[Candidate]:
        """The best sentence, then others within `margin` of it only while each covers question
        terms the ones before do not, or holds them all (short answers, no repeats)."""
        s = settings or self.settings
        ranked = sorted((c for c in found if c.score >= s.min_score and c.similarity >= s.min_similarity),
                        key=lambda c: -c.score)
        chosen: list[Candidate] = []
        covered: set[str] = set()
        for cand in ranked:
            if len(chosen) == s.max_sentences or cand.score < ranked[0].score - s.margin:
                break
            if chosen and cand.swapped:
                continue
            complete = cand.coverage >= COMPLETE  # holds every key term: another whole answer
            leans_on_chosen = cand.lead is not None and _key(cand.lead) in {_key(c) for c in chosen}
            terms = cand.own_terms if leans_on_chosen else cand.terms
            if chosen and not (terms - covered) and (leans_on_chosen or not complete):
                continue
            if _distinct(cand, chosen):
                chosen.append(cand)
                covered |= terms
        return chosen

    def summarize(self, question: str, hits: list[Hit]) -> Answer:
        """The most central sentences of the hits (one document's chunks), in document order."""
        found = candidates(hits)
        if not found:
            return not_found_answer(question)
        vectors = sentence_vectors(self.embedder, found, self.cache)
        centre = vectors.mean(axis=0)
        first = min(c.start for c in found)
        for rank, (cand, vector) in enumerate(zip(found, vectors)):
            cand.vector, cand.similarity = vector, float(vector @ centre)
            cand.score = cand.similarity + LEAD * (1 - rank / len(found)) + (LEAD if cand.start == first else 0.0)
        chosen: list[Candidate] = []
        for cand in sorted(found, key=lambda c: -c.score):
            if len(chosen) == self.settings.max_sentences:
                break
            if _distinct(cand, chosen):
                chosen.append(cand)
        return compose(sorted(chosen, key=lambda c: c.start), question, lead=False)


def _unsupported(question: str, chosen: list[Candidate]) -> str | None:
    """Why the chosen sentences do not answer after all: the best one has the question's names the
    other way round or denies what a wh-question takes as given, a "when" gets no time, or a specific
    the question names is not in their passages."""
    if chosen[0].swapped:
        return SWAPPED.format(chosen[0].text)
    denial = asks_what_is_presupposed(question) and denied(question, chosen[0].text)
    if denial:
        return DENIED.format(denial)
    if asks_when(question) and not any(gives_time(c.text) for c in _with_leads(chosen)):
        return NO_TIME
    missing = missing_specifics(question, "\n".join(c.own_paragraph for c in chosen))
    return NOT_SUPPORTED.format(", ".join(f"“{m}”" for m in missing)) if missing else None


def _distinct(cand: Candidate, chosen: list[Candidate]) -> bool:
    """Not a near copy of a sentence already chosen."""
    return all(float(cand.vector @ c.vector) < DUPLICATE_SIMILARITY for c in chosen)


def not_found_answer(question: str, note: str | None = None) -> Answer:
    return Answer(answer=NOT_FOUND, not_found=True, citations=[], query=question, note=note)


def compose(chosen: list[Candidate], query: str, lead: bool = True, span: tuple[int, int] | None = None) -> Answer:
    """Each sentence followed by its [n] marker: the best one first (when `lead`), the rest in
    document order; `span`, where in the best one the date, number or name that answers sits."""
    best = chosen[0] if chosen else None
    chosen = _with_leads(chosen)
    head, rest = (chosen[:1], chosen[1:]) if lead else ([], chosen)
    order = {}
    for cand in rest:
        order.setdefault(cand.chunk.source, len(order))
    chosen = head + sorted(rest, key=lambda c: (order[c.chunk.source], c.start))
    citations = [to_citation(i, c) for i, c in enumerate(chosen, start=1)]
    parts = [AnswerPart(text=c.text, citations=[i]) for i, c in enumerate(chosen, start=1)]
    text = " ".join(f"{p.text} [{p.citations[0]}]" for p in parts)
    return Answer(answer=text, not_found=False, citations=citations, query=query, parts=parts,
                  short_answer=_short_answer(best, chosen, span) if span and best else None)


def _short_answer(best: Candidate, cited: list[Candidate], span: tuple[int, int]) -> ShortAnswer:
    number = next(i for i, c in enumerate(cited, start=1) if c is best)
    return ShortAnswer(best.text[span[0]:span[1]], number, best.start + span[0], best.start + span[1])


def _key(cand: Candidate) -> tuple[str, int]:
    return cand.chunk.source, cand.start


def _with_leads(chosen: list[Candidate]) -> list[Candidate]:
    """Each sentence that needs the one before it to answer, preceded by that one."""
    out, keys = [], set()
    for cand in chosen:
        for part in ([cand.lead] if cand.needs_lead else []) + [cand]:
            if _key(part) not in keys:
                keys.add(_key(part))
                out.append(part)
    return out


def to_citation(number: int, cand: Candidate) -> Citation:
    chunk = cand.chunk
    return Citation(
        id=number, source=chunk.source, title=chunk.title, date=chunk.date, quote=cand.text,
        start=cand.start, end=cand.end, chunk_id=chunk.id, text=chunk.text,
        score=round(cand.similarity, 4), page=chunk.page_at(cand.start), section=chunk.section_at(cand.start),
    )
