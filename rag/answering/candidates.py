"""Candidate sentences: every statement of the retrieved chunks, scored as evidence for a question.

A sentence is judged with its passage: its similarity to the question, the question's key terms
it holds, those its paragraph and title hold (a term the sentence leaves implicit but its passage
states still counts), and whether it holds the kind of answer asked for (a date for "when"). A
sentence that opens with a pronoun ("It was commissioned by Odo.") is read together with the
sentence before it. Both the extractive answerer and the grounding check read candidates.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from rag import config
from rag.embedding import Embedder, VectorCache, embed_one
from rag.answering.evidence import names_swapped, paragraph, wanted
from rag.language.words import akin, key_terms
from rag.records import Chunk, Citation, Hit

# A question word the sentence holds only as a word WordNet relates to it ("runs" for "director")
# counts this much of a word it holds.
NEAR = 0.15
LISTED = 12  # statements a lead-in ending in a colon is read with
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
    clause_vectors: tuple = ()  # of a long sentence's clauses (grounding: a claim may restate one)
    terms: frozenset = frozenset()  # the question's key terms this sentence holds
    lead: "Candidate | None" = None  # the sentence before, when this one leans on it
    own_terms: frozenset = frozenset()  # of those, the ones in this sentence itself
    needs_lead: bool = False  # question terms only the lead holds: cite both
    swapped: bool = False  # it has the question's names in each other's roles (evidence.names_swapped)
    listed: list = field(default_factory=list)  # ending in a colon: the list items it introduces

    @property
    def passage(self) -> str:
        """What the sentence is read together with: its document's title, its section, its
        paragraph and the one before (as far as its chunk reaches)."""
        return self._around(before=1)

    @property
    def heading(self) -> str:
        """Its document's title and its section."""
        return f"{self.chunk.title}\n{self.chunk.section_at(self.start) or ''}"

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
            if key(cand) not in seen:
                seen.add(key(cand))
                found.append(cand)
    for cand in found:
        if cand.text.rstrip().endswith(":"):
            cand.listed = _listed(cand, hits)
    return found


def _listed(lead: Candidate, hits: list[Hit]) -> list[Candidate]:
    """What a sentence ending in a colon introduces ("The server exposes the following tools:"):
    the lines after it that are one statement each, a list's items, up to the next heading or
    paragraph (LISTED at most), read on into the next retrieved chunk of its document where the
    list runs over."""
    chunks = sorted({h.chunk.id: h.chunk for h in hits if h.chunk.source == lead.chunk.source}.values(),
                    key=lambda c: c.start)
    spans: dict[tuple[int, int], tuple[Chunk, int]] = {}
    for chunk in chunks:
        for row, (a, b) in enumerate(chunk.sentences):
            if a >= lead.end:
                spans.setdefault((a, b), (chunk, row))  # in the chunk that reaches furthest back
    items, reached = [], lead.end
    for (a, b), (chunk, row) in sorted(spans.items()):
        if len(items) == LISTED or chunk.start > reached or chunk.is_heading(a, b) or not _whole_line(chunks, a, b):
            break
        items.append(Candidate(chunk, a, b, chunk.sentence_text(a, b), row))
        reached = b
    return items


def _whole_line(chunks: list[Chunk], start: int, end: int) -> bool:
    """Whether the sentence at `start`-`end` is a line of its own, as the chunks around it show."""
    holding = [c for c in chunks if c.start <= start and end <= c.end]
    first, last = holding[0], max(holding, key=lambda c: c.end)  # the most text before it, and after
    before, after = first.text[:start - first.start], last.text[end - last.start:]
    return before.rstrip(" ").endswith("\n") and (not after.lstrip(" ") or after.lstrip(" ").startswith("\n"))


def score_candidates(embedder: Embedder, question: str, found: list[Candidate],
                     settings: config.AnswerSettings | None = None, cache: VectorCache | None = None) -> None:
    """Evidence for each candidate: similarity + coverage_weight x key terms it holds
    + context_weight x key terms its passage holds + type_bonus if it holds the kind of answer asked for."""
    if not found:
        return
    s = settings or config.AnswerSettings()
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
        cand.swapped = names_swapped(question, cand.text)
        kind = s.type_bonus if answer_kind is not None and answer_kind.search(cand.text) else 0.0
        near = sum(weights[t] for t in weights if t not in terms and any(akin(t, u) for u in terms)) / total if total else 0.0
        cand.score = (cand.similarity + s.coverage_weight * (cand.coverage + NEAR * near)
                      + s.context_weight * cand.context_coverage + kind)


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


def key(cand: Candidate) -> tuple[str, int]:
    return cand.chunk.source, cand.start


def to_citation(number: int, cand: Candidate) -> Citation:
    chunk = cand.chunk
    return Citation(
        id=number, source=chunk.source, title=chunk.title, date=chunk.date, quote=cand.text,
        start=cand.start, end=cand.end, chunk_id=chunk.id, text=chunk.text,
        score=round(cand.similarity, 4), page=chunk.page_at(cand.start), section=chunk.section_at(cand.start),
        ocr=chunk.ocr_at(cand.start),
    )
