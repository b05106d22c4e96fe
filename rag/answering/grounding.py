"""Check a generated answer against the retrieved text before anyone sees it.

Each answer sentence is matched to the retrieved sentence(s) that support it, by
embedding similarity and shared key terms, and must not name a number, year or name that
the supporting passage does not hold. Markers pointing outside the retrieved set are
dropped; a supported sentence cites its supporting sentence, with exact offsets; a
sentence nothing supports is flagged `unsupported`. Whatever the model wrote, no
citation can point outside what was retrieved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from rag.answering.candidates import Candidate, candidates, sentence_vectors, to_citation
from rag.language.sentences import split_sentences
from rag.config import Grounding, VerifierSettings
from rag.embedding import Embedder, VectorCache
from rag.answering.verifier import SUPPORTED, Claim, Evidence, Verdict, Verifier, novel_words
from rag.answering.evidence import missing_specifics
from rag.language.parse import proper_nouns
from rag.language.relations import replaced_name
from rag.language.words import capitalised, fold, key_terms
from rag.records import Answer, AnswerPart, Citation, Hit

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# A claim may join what two sentences of one document say: when the best one lacks only names the
# claim gives, the next sentences most like the claim are tried beside it (and both cited);
# the claim must then hold against each of the two, so neither can contradict it.
COMPANIONS = 3
NOTHING_SIMILAR = Verdict("unsupported", "No retrieved sentence says anything close to this.", "similarity")
REFUSAL = re.compile(
    r"\b(do(es)? not (contain|mention|say|provide|include)|not (mentioned|found|stated|provided) in"
    r"|no (information|answer|mention)|cannot (answer|find|determine)|can't (answer|find))\b", re.I)


@dataclass
class Written:
    """A sentence an LLM wrote, its [n] markers taken out."""

    text: str
    markers: list[int]


def claims(text: str) -> list[Written]:
    """The answer's sentences with the [n] markers each carries, markers removed from the text."""
    found = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        markers = [int(n) for group in MARKER.findall(sentence) for n in re.split(r"\s*,\s*", group)]
        clean = MARKER.sub("", sentence).strip()
        if re.search(r"\w", clean):
            found.append(Written(clean, markers))
        elif found and markers:  # a marker left alone after the sentence it belongs to
            found[-1].markers.extend(markers)
    return found


class Grounder:
    def __init__(self, embedder: Embedder, settings: Grounding | None = None,
                 cache: VectorCache | None = None, verifier: Verifier | None = None):
        self.embedder = embedder
        self.settings = settings or Grounding()
        self.cache = cache or VectorCache(embedder)
        self.verifier = verifier or Verifier(VerifierSettings().checks)

    def ground(self, text: str, hits: list[Hit], query: str, verifier=None) -> Answer | None:
        """The checked answer, or None when nothing in it is supported by the sources; `verifier`
        (an LLM judge, say) in place of the local one."""
        judged = self.judge(text, hits, verifier)
        if not any(cand for _, cand, _ in judged):
            return None
        return _assemble(judged, query)

    def judge(self, text: str, hits: list[Hit], verifier=None
              ) -> list[tuple[Written, list[Candidate] | None, Verdict | None]]:
        """Each sentence of `text` with the retrieved sentences that support it (the best first), or
        None and the verdict why not."""
        parts_in = claims(text)
        pool = candidates(hits)
        if not parts_in or not pool:
            return [(c, None, NOTHING_SIMILAR) for c in parts_in]
        claim_vectors = self.embedder.embed_batch([c.text for c in parts_in], query=True)
        pool_vectors = sentence_vectors(self.embedder, pool, self.cache)
        for cand, vector in zip(pool, pool_vectors):
            cand.vector = vector
        self._embed_clauses(pool)
        verifier = verifier or self.verifier
        return [(c, *self._support(c, v, pool, hits, verifier)) for c, v in zip(parts_in, claim_vectors)]

    def _embed_clauses(self, pool: list[Candidate]) -> None:
        """The vectors of each long sentence's clauses: "prices increased by as much as four times the
        standard amount" is one clause of a sentence about a minimum fare, and a claim restating it
        alone is far from the whole sentence's vector."""
        clauses = [(cand, text) for cand in pool for text in _clauses(cand.text)]
        if clauses:
            for (cand, _), vector in zip(clauses, self.cache.embed([text for _, text in clauses])):
                cand.clause_vectors += (vector,)

    def _support(self, written: Written, vector: np.ndarray, pool: list[Candidate], hits: list[Hit], verifier
                 ) -> tuple[list[Candidate] | None, Verdict | None]:
        """The retrieved sentences that support the claim, or None and the verdict why not."""
        cited = {hits[n - 1].chunk.id for n in written.markers if 1 <= n <= len(hits)}
        terms = set(key_terms(written.text))
        scored = []
        for cand in pool:
            similarity = max(float(v @ vector) for v in (cand.vector, *cand.clause_vectors))
            overlap = len(terms & set(key_terms(cand.text))) / len(terms) if terms else 0.0
            if self._supports(similarity, overlap):
                scored.append((cand.chunk.id in cited, similarity + 0.25 * overlap, similarity, cand))
        if not scored:
            return None, NOTHING_SIMILAR
        # The sentence of a chunk the claim cites first; then, the model having cited the wrong one,
        # the retrieved sentence most like it.
        chosen, likest = max(scored, key=lambda s: (s[0], s[1])), max(scored, key=lambda s: s[1])
        first = None
        for _, _, similarity, best in [chosen] + ([likest] if likest is not chosen else []):
            supporting, verdict = self._against(written, replace(best, similarity=similarity), vector, pool, verifier)
            if supporting:
                return supporting, None
            first = first or verdict
        return None, first

    def _against(self, written: Written, best: Candidate, vector: np.ndarray, pool: list[Candidate], verifier
                 ) -> tuple[list[Candidate] | None, Verdict]:
        """The claim checked against `best`, alone or with a sentence that supplies what it lacks."""
        verdict = _verify(verifier, written, [best])
        for other in self._companions(written, best, verdict, vector, pool):
            if _verify(verifier, written, [best, other]).supported and _verify(verifier, written, [other, best]).supported:
                return [best, other], SUPPORTED
        return ([best] if verdict.supported else None), verdict

    def _companions(self, written: Written, best: Candidate, verdict: Verdict, vector: np.ndarray,
                    pool: list[Candidate]) -> list[Candidate]:
        """The sentences that may supply what the best one lacks: names and numbers only (where it
        happened, who reported it, when), never a thing or a relation the best one does not state.
        Names come from the sentence before, where the best one opens with a pronoun that leans on
        it; from the sentences most like the claim; and from the nearest ones that hold
        them, as numbers do, only where the best one names no one and gives no number the claim
        leaves out, so that another sentence never stands in for a name or number the claim replaced."""
        if verdict.check not in ("specifics", "novel"):
            return []
        lacking = _lacking(written, best)
        named = proper_nouns(written.text)
        if not lacking or not all(fold(word) in named or _numeral(word) for word in lacking):
            return []
        same = [replace(c, similarity=float(c.vector @ vector))
                for c in pool if c.chunk.source == best.chunk.source and c is not best]
        alike = [] if any(_numeral(word) for word in lacking) else [
            c for c in sorted(same, key=lambda c: -c.similarity)[:COMPANIONS]
            if c.similarity >= self.settings.min_similarity_with_terms]
        if replaced_name(written.text, best.text, {fold(w) for w in lacking}):
            return []
        # a sentence opening with a pronoun names its doer in the one before: "It said most of the
        # debris burnt up" after "..., Roscosmos said in a statement."
        lead = [best.lead] if best.lead is not None and not any(_numeral(w) for w in lacking) \
            and all(_holds(best.lead.text, w) for w in lacking) else []
        if _unsaid_specifics(best.text, written.text):
            return _by_text(lead + alike)
        holding = [c for c in sorted(same, key=lambda c: abs(c.start - best.start))
                   if all(_holds(c.text, word) for word in lacking)][:COMPANIONS]
        return _by_text(lead + alike + holding)

    def _supports(self, similarity: float, overlap: float) -> bool:
        s = self.settings
        return similarity >= s.min_similarity or (
            similarity >= s.min_similarity_with_terms and overlap >= s.min_term_overlap)


def _lacking(written: Written, best: Candidate) -> list[str]:
    evidence = _evidence([best])
    return [word for part in novel_words(written.text, evidence) + missing_specifics(written.text, evidence.passage)
            for word in part.split()]


LONG = 25  # words: a sentence this long is compared clause by clause as well
_CLAUSE = re.compile(r"\s*(?:[;()—–]|, (?:and|but|while|which|whose) )\s*")


def _clauses(sentence: str) -> list[str]:
    """A long sentence's clauses of four words or more, split at semicolons, dashes, parentheses and
    a comma before a conjunction or a relative word."""
    if len(sentence.split()) < LONG:
        return []
    return [part for part in _CLAUSE.split(sentence) if len(part.split()) >= 4]


def _by_text(cands: list[Candidate]) -> list[Candidate]:
    """Each sentence once, in the order first given."""
    return list({c.text: c for c in cands}.values())


def _numeral(word: str) -> bool:
    return bool(re.fullmatch(r"\d[\d,.]*(?:st|nd|rd|th|s)?", word))


def _holds(text: str, word: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(fold(word)), fold(text)) is not None


def _unsaid_specifics(sentence: str, claim: str) -> bool:
    """Whether `sentence` names someone or gives a number that `claim` does not hold."""
    numbers = re.findall(r"\d[\d,.]*\d|\d", sentence)
    return any(n not in fold(claim) for n in numbers) or any(
        not _holds(claim, w) for w in proper_nouns(sentence) | {fold(w) for w in capitalised(sentence)})


def _verify(verifier, written: Written, cited: list[Candidate]) -> Verdict:
    return verifier.verify(Claim(written.text), _evidence(cited))


def _evidence(cited: list[Candidate]) -> Evidence:
    """What the cited sentences give a claim to be checked against; the first is the best."""
    best = cited[0]
    return Evidence(best=best.text, sentences=(*(c.text for c in cited), *(c.text for c in best.listed)),
                    passage="\n".join(c.own_paragraph for c in cited), context=best.heading)


def _assemble(judged: list[tuple[Written, list[Candidate] | None, Verdict | None]], query: str) -> Answer:
    citations: list[Citation] = []
    numbers: dict[tuple, int] = {}
    parts = []
    for claim, cited, why in judged:
        if cited is None:
            parts.append(AnswerPart(text=claim.text, citations=[], unsupported=True, reason=why.reason,
                                    check=why.check))
            continue
        for cand in cited:
            key = (cand.chunk.source, cand.start, cand.end)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(to_citation(numbers[key], cand))
        parts.append(AnswerPart(text=claim.text, citations=[numbers[(c.chunk.source, c.start, c.end)] for c in cited]))
    return Answer(answer=render(parts), not_found=False, citations=citations, query=query, parts=parts)


def render(parts: list[AnswerPart]) -> str:
    """Answer text: each supported sentence followed by its markers, unsupported ones flagged."""
    out = []
    for part in parts:
        suffix = "".join(f" [{n}]" for n in part.citations) if part.citations else " (unsupported)"
        out.append(part.text + suffix)
    return " ".join(out)


def is_refusal(text: str) -> bool:
    return bool(REFUSAL.search(text)) and len(text) < 400
