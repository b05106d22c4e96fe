"""One verifier for both paths: `verify(claim, evidence)` runs an ordered list of named checks and
says whether the evidence supports the claim, and if not, why.

The extractive answerer asks it of the question against the sentences it would quote (to refuse
with a reason); the grounding check asks it of every sentence an LLM wrote against the retrieved
sentence that matches it best (to mark it unsupported with a reason). A check is a function
`(claim, evidence) -> Verdict | None` (None: nothing wrong that this check can see), registered in
CHECKS; `verifier.checks` lists which run, in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from rag.answering.evidence import (asks_what_is_presupposed, asks_when, denied, gives_time, missing_specifics,
                                    names_swapped, polarity_flipped)
from rag.language.numbers import number_word, written_alike
from rag.language.parse import empty_words, names, phrasal_verbs, proper_nouns, stems, verbs
from rag.language.order import exchanged_around, paired_otherwise, reattached
from rag.language.tables import cells, misplaced_value
from rag.language.relations import (acted_upon, asked_in_place, changed_modifier, changed_number, flipped_negation,
                                    intended_only, moved_modifier, moved_number, renamed, substituted_subject, swapped_roles)
from rag.language.words import adverb_only, capitalised, fold, content_words, extends, key_terms, opposites, related, spelled_out
from rag.registry import Registry


@dataclass(frozen=True)
class Claim:
    text: str
    question: bool = False  # a question takes its own claim as given; a statement asserts it


@dataclass(frozen=True)
class Evidence:
    best: str  # the sentence that supports the claim best
    sentences: tuple[str, ...]  # every sentence it would cite (with any lead a sentence leans on)
    passage: str  # their paragraphs, titles and sections: where a named specific must stand
    context: str = ""  # their titles and sections: what a reader reads them with


@dataclass(frozen=True)
class Verdict:
    status: Literal["supported", "unsupported", "contradicted"]
    reason: str | None = None
    check: str | None = None

    @property
    def supported(self) -> bool:
        return self.status == "supported"


SUPPORTED = Verdict("supported")


class Check(Protocol):
    def __call__(self, claim: Claim, evidence: Evidence) -> Verdict | None: ...


def roles(claim: Claim, evidence: Evidence) -> Verdict | None:
    """The best sentence has the claim's names in each other's roles ("Biden told Xi" against "Xi
    told Biden"), or the question's own name where its answer should be. A statement's roles are
    read from its parse and the sentence's: phrases whose places are exchanged, or a describing
    word moved from one noun to another."""
    best = evidence.best
    if claim.question:
        if names_swapped(claim.text, best) or asked_in_place(claim.text, best):
            return Verdict("contradicted", f"{_closest(claim)} has its names the other way round: “{best}”")
        return None
    pair = swapped_roles(claim.text, best) or exchanged_around(claim.text, best)
    if pair:
        return Verdict("contradicted", f"{_closest(claim)} has {pair} the other way round: “{best}”")
    paired = paired_otherwise(claim.text, best)
    if paired:
        return Verdict("contradicted", f"{_closest(claim)} pairs {paired}, respectively: “{best}”")
    other = substituted_subject(claim.text, best) or renamed(claim.text, best)
    if other:
        return Verdict("contradicted", f"{_closest(claim)} has {other}: “{best}”")
    done = acted_upon(claim.text, best)
    if done:
        return Verdict("contradicted", f"{_closest(claim)} has {done} acted upon, not acting: “{best}”")
    moved = moved_modifier(claim.text, best) or reattached(claim.text, best)
    if moved:
        return Verdict("contradicted", f"{_closest(claim)} does not say {moved}: “{best}”")
    return None


def describing(claim: Claim, evidence: Evidence) -> Verdict | None:
    """The best sentence describes one of the claim's nouns by another adjective, and has neither the
    claim's nor one WordNet relates to it ("modern Europe" against "medieval Europe"), or has the
    claim's on another noun only ("Christian spirit" against "martial spirit and Christian piety")."""
    changed = changed_modifier(claim.text, evidence.best)
    if changed:
        return Verdict("unsupported", f"{_closest(claim)} does not say {changed}: “{evidence.best}”")
    return None


def negation(claim: Claim, evidence: Evidence) -> Verdict | None:
    """The best sentence negates a verb over the claim's own words; for a statement, either side
    negating a word the other states plainly ("are affected" against "are not affected"). A yes/no
    question is left alone: "no" answers it."""
    if claim.question and not asks_what_is_presupposed(claim.text):
        return None
    best = evidence.best
    named = frozenset(_name_terms(claim.text))
    denial = denied(claim.text, best, named) or (not claim.question and polarity_flipped(claim.text, best, named))
    if denial:
        return Verdict("contradicted", f"{_closest(claim)} says otherwise: “{denial}”")
    word = not claim.question and flipped_negation(claim.text, best)
    if word:
        return Verdict("contradicted", f"{_closest(claim)} says otherwise: “{word}” negated on one side only: “{best}”")
    return None


def intended(claim: Claim, evidence: Evidence) -> Verdict | None:
    """The statement says happened what the best sentence has only as meant, expected or possible:
    "docked" against "was set to dock", "surpasses" against "could surpass"."""
    if claim.question:
        return None
    phrase = intended_only(claim.text, evidence.best)
    if phrase:
        return Verdict("unsupported", f"{_closest(claim)} says only “{phrase}”: “{evidence.best}”")
    return None


def opposite(claim: Claim, evidence: Evidence) -> Verdict | None:
    """The best sentence holds the opposite (WordNet's antonym) of a word of the statement that it
    lacks: "rarely" against "often". Questions are left alone: on the SQuAD dev article it refused
    one answerable question and no unanswerable one (cite_hit 0.854 -> 0.844)."""
    if claim.question:
        return None
    said = set(key_terms(claim.text)) | stems(claim.text)
    held = set(key_terms(evidence.best)) | stems(evidence.best)
    named = _name_terms(claim.text) | _name_terms(evidence.best)  # "National" in a museum's name opposes nothing
    for term in sorted(said - held - named):
        clash = sorted((opposites(term) & held) - said - named)
        if clash:
            return Verdict("contradicted", f"{_closest(claim)} says the opposite (“{clash[0]}” against “{term}”): "
                                           f"“{evidence.best}”")
    return None


def _name_terms(text: str) -> set[str]:
    """The stems of the capitalised words of `text`'s names (its first word too, where the parse
    has it in a name: "Snapchat CEO Evan Spiegel")."""
    named = proper_nouns(text)
    return {term for word in capitalised(text, first=True) if fold(word) in named for term in key_terms(word)}


def time(claim: Claim, evidence: Evidence) -> Verdict | None:
    """A "when" question needs a date, year, century, month, weekday or clock time in the answer."""
    if claim.question and asks_when(claim.text) and not any(gives_time(s) for s in evidence.sentences):
        return Verdict("unsupported", f"{_closest(claim, plural=True)} give no date or time.")
    return None


def specifics(claim: Claim, evidence: Evidence) -> Verdict | None:
    """Every number, year, name, quoted phrase and superlative the claim names stands in the passage."""
    missing = missing_specifics(claim.text, evidence.passage)
    if not claim.question:
        missing += [n for n in _missing_names(claim.text, evidence.passage) if n not in missing]
        other = not missing and (changed_number(claim.text, evidence.best) or moved_number(claim.text, evidence.best))
        if other:
            return Verdict("contradicted", f"{_closest(claim)} gives another number there, {other}: “{evidence.best}”")
        cell = not missing and misplaced_value(claim.text, evidence.best)
        if cell:
            return Verdict("contradicted", f"{_closest(claim)}, a table row, has {cell}: “{evidence.best}”")
    if missing:
        return Verdict("unsupported", f"{_closest(claim, plural=True)} do not mention "
                       + ", ".join(f"“{m}”" for m in missing) + ".")
    return None


_NUMBERED = re.compile(r"\s(?:[IVXL]+|\d+)$")  # "Roger I", "Henry VIII", "Apollo 11"


def _missing_names(text: str, passage: str) -> list[str]:
    """The claim's numbered names that the passage does not hold whole: "Roger I" is not "Roger II".
    (Other names are matched word by word, a shortened or longer form allowed: see `specifics`.)"""
    folded = fold(passage)
    return [name for name in names(text) if _NUMBERED.search(name)
            and not re.search(r"(?<!\w)" + re.escape(fold(name)) + r"(?:['’]s?)?(?!\w)", folded)]


def novel(claim: Claim, evidence: Evidence) -> Verdict | None:
    """Every content word of the statement stands in the sentences it cites, or a word that can mean
    the same (WordNet: "protect" for "defend", "met" for "meeting", "disintegrated" for "broke up"):
    a word none of them holds is a relation or a fact they do not state ("signed a trade agreement"
    where they say "met"). A name has no synonyms: it matches itself or a longer form ("Korea",
    "Korean") only, so that "United" (stem "unit") never stands in for "troops". Adverbs ("also")
    qualify and are left to the other checks. Questions are left alone: an answer adds what the
    question lacks."""
    if claim.question:
        return None
    new = novel_words(claim.text, evidence)
    if new:
        return Verdict("unsupported", f"{_closest(claim)} does not say "
                       + ", ".join(f"“{w}”" for w in dict.fromkeys(new)) + f": “{evidence.best}”")
    return None


def novel_words(claim: str, evidence: Evidence) -> list[str]:
    """The content words of `claim` that no sentence of the evidence (nor its context) holds or
    has a word for."""
    texts = (*evidence.sentences, evidence.context)
    held = [(term, name) for text in texts for _, term, name in _named(text)]
    held += [(key, False) for text in evidence.sentences for key in phrasal_verbs(text).values()]
    empty, everything, phrasal = empty_words(claim), "\n".join(texts), phrasal_verbs(claim)
    if cells(evidence.best):  # a table row states its values with no verb: "BM25S: 952.92" for "BM25S reaches"
        empty |= verbs(claim)
    return [word for word, term, name in _named(claim)
            if not term.isdigit() and not adverb_only(term) and fold(word) not in empty
            and not any(_same((term, name), other) or _same((phrasal.get(fold(word), term), name), other)
                        for other in held)
            and not spelled_out(word, everything) and not (number_word(word) and written_alike(claim, everything))]


def _named(text: str) -> list[tuple[str, str, bool]]:
    """Each content word as written, its stem, and whether it is a name (capitalised, not the text's
    first word)."""
    return [(word, term, i > 0 and word[:1].isupper()) for i, (word, term) in enumerate(content_words(text))]


def _same(a: tuple[str, bool], b: tuple[str, bool]) -> bool:
    (term, name), (other, other_name) = a, b
    return extends(term, other, shortest=4) if name or other_name else related(term, other)


def _closest(claim: Claim, plural: bool = False) -> str:
    what = "the question" if claim.question else "this sentence"
    return f"The passage{'s' if plural else ''} closest to {what}"


CHECKS = Registry("verifier.checks", {
    "roles": "rag.answering.verifier:roles",
    "describing": "rag.answering.verifier:describing",
    "negation": "rag.answering.verifier:negation",
    "intended": "rag.answering.verifier:intended",
    "opposite": "rag.answering.verifier:opposite",
    "time": "rag.answering.verifier:time",
    "specifics": "rag.answering.verifier:specifics",
    "novel": "rag.answering.verifier:novel",
})


class Verifier:
    def __init__(self, names: list[str]):
        self.checks = [(name, CHECKS.load(name)) for name in names]

    def verify(self, claim: Claim, evidence: Evidence) -> Verdict:
        """The first failing check's verdict, named; supported when every check passes."""
        for name, check in self.checks:
            verdict = check(claim, evidence)
            if verdict is not None and not verdict.supported:
                return Verdict(verdict.status, verdict.reason, name)
        return SUPPORTED
