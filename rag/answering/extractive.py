"""The embedded default answerer: no LLM, only the exact sentences that answer.

Candidate sentences (candidates.py) come from the retrieved chunks only, so a citation can never
point outside what was retrieved. A sentence that leans on the one before it cites that one too
when it holds question terms the sentence lacks; one ending in a colon cites the list it
introduces. The best sentence leads; another is added only when it covers question terms the ones
before do not, and not at all when the best one holds the date, number or name a "when", "how
many" or "who" asks for. When nothing reaches the threshold, or the question names a specific (a
number, a year, a name) that the cited passages do not hold, or the best sentence has the
question's names the other way round, or a "when" gets no date or time, the service says the
documents do not hold the answer, and why.
"""
from __future__ import annotations

from rag import config
from rag.answering.candidates import (Candidate, candidates, key, score_candidates, sentence_vectors,
                                      to_citation)
from rag.answering.evidence import short_span
from rag.answering.verifier import Claim, Evidence, Verifier
from rag.embedding import Embedder, VectorCache
from rag.records import Answer, AnswerPart, Hit, ShortAnswer

NOT_FOUND = "The documents do not contain an answer to this question."
DUPLICATE_SIMILARITY = 0.92
LEAD = 0.1  # a summary favours the opening, where writers put what matters
COMPLETE = 0.999  # a sentence holding every key term of the question answers it on its own


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder, settings: config.AnswerSettings, cache: VectorCache | None = None,
                 verifier: Verifier | None = None):
        self.embedder = embedder
        self.settings = settings
        self.cache = cache or VectorCache(embedder)
        self.verifier = verifier or Verifier(config.VerifierSettings().checks)

    def answer(self, question: str, hits: list[Hit]) -> Answer:
        return self.decide(question, self.evidence(question, hits))

    def decide(self, question: str, found: list[Candidate], settings: config.AnswerSettings | None = None) -> Answer:
        """The answer from scored candidates under the configured decision settings or `settings`
        (its threshold, length and checks; scored once, a sweep decides under many)."""
        s = settings or self.settings
        chosen = self.select(found, s)
        if not chosen:
            return not_found_answer(question)
        span = short_span(question, chosen[0].text)
        if span is not None:  # the best sentence holds the date, number or name asked for: it answers alone
            chosen = chosen[:1]
        unsupported = s.check_specifics and _unsupported(self.verifier, question, chosen)
        if unsupported:
            return not_found_answer(question, unsupported)
        return compose(chosen, question, span=span)

    def evidence(self, question: str, hits: list[Hit]) -> list[Candidate]:
        found = candidates(hits)
        score_candidates(self.embedder, question, found, self.settings, self.cache)
        return found

    def select(self, found: list[Candidate], settings: config.AnswerSettings | None = None) -> list[Candidate]:
        """The best sentence, then others within `margin` of it only while each covers question
        terms the ones before do not, or holds them all (short answers, no repeats)."""
        s = settings or self.settings
        ranked = sorted((c for c in found if c.score >= s.min_score
                         and (c.similarity >= s.min_similarity or c.coverage >= COMPLETE)), key=lambda c: -c.score)
        chosen: list[Candidate] = []
        covered: set[str] = set()
        for cand in ranked:
            if len(chosen) == s.max_sentences or cand.score < ranked[0].score - s.margin:
                break
            if chosen and cand.swapped:
                continue
            complete = cand.coverage >= COMPLETE  # holds every key term: another whole answer
            leans_on_chosen = cand.lead is not None and key(cand.lead) in {key(c) for c in chosen}
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


def _unsupported(verifier: Verifier, question: str, chosen: list[Candidate]) -> str | None:
    """Why the chosen sentences do not answer after all (the verifier's reason), or None."""
    evidence = Evidence(best=chosen[0].text, sentences=tuple(c.text for c in _with_leads(chosen)),
                        passage="\n".join(c.own_paragraph for c in chosen))
    verdict = verifier.verify(Claim(question, question=True), evidence)
    return None if verdict.supported else verdict.reason


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
    chosen = _with_lists(head + sorted(rest, key=lambda c: (order[c.chunk.source], c.start)))
    citations = [to_citation(i, c) for i, c in enumerate(chosen, start=1)]
    parts = [AnswerPart(text=c.text, citations=[i]) for i, c in enumerate(chosen, start=1)]
    text = " ".join(f"{p.text} [{p.citations[0]}]" for p in parts)
    return Answer(answer=text, not_found=False, citations=citations, query=query, parts=parts,
                  short_answer=_short_answer(best, chosen, span) if span and best else None)


def _short_answer(best: Candidate, cited: list[Candidate], span: tuple[int, int]) -> ShortAnswer:
    number = next(i for i, c in enumerate(cited, start=1) if c is best)
    return ShortAnswer(text=best.text[span[0]:span[1]], citation=number, start=best.start + span[0], end=best.start + span[1])


def _with_lists(chosen: list[Candidate]) -> list[Candidate]:
    """Each sentence followed by what it introduces when it ends in a colon: "You can use the
    following variants:" answers nothing without the list under it."""
    return _spread(chosen, lambda cand: [cand, *cand.listed])


def _with_leads(chosen: list[Candidate]) -> list[Candidate]:
    """Each sentence that needs the one before it to answer, preceded by that one."""
    return _spread(chosen, lambda cand: ([cand.lead] if cand.needs_lead else []) + [cand])


def _spread(chosen: list[Candidate], parts) -> list[Candidate]:
    """The `parts` of each chosen sentence in turn, each sentence once."""
    out, keys = [], set()
    for cand in chosen:
        for part in parts(cand):
            if key(part) not in keys:
                keys.add(key(part))
                out.append(part)
    return out


