"""What a claim says of its words compared with a sentence, read from word order where the small
parser's attachments are not to be trusted: two nouns exchanged around a verb ("Dinner costs less
than brunch" against "Brunch costs less than dinner"), or what follows one of two opposite words
put after the other ("smallest on the steepest farm" against "largest on the steepest farm, and
smallest on the flat farm")."""
from __future__ import annotations

from dataclasses import dataclass

from rag.language.parse import LIGHT_VERBS, REPORTING, lemma, parse, stems
from rag.language.relations import RECIPROCAL
from rag.language.words import opposites, stem


def exchanged_around(claim: str, sentence: str) -> str | None:
    """Two of the claim's nouns on opposite sides of a verb (or "than") that the sentence has them
    the other way round of, "“A” and “B”", or None: "Dinner costs less than brunch" against
    "Brunch costs less than dinner"; "the vetch established quickly, while the rye grew" against
    "the rye established quickly, while the vetch grew". Read from word order, so that it holds
    where the parser misreads a phrase; a passive on one side only, a verb of saying, a reciprocal
    verb and an opposite word between the two ("more" for "less", "after" for "before") leave it alone."""
    mine, theirs = parse(claim), parse(sentence)
    if _converse(mine, theirs):
        return None
    for pivot in (t for t in mine if _pivot(t)):
        same = [t for t in theirs if _pivot(t) and lemma(t) == lemma(pivot)]
        if len(same) != 1 or _passive(pivot) != _passive(same[0]):
            continue
        moved_back = moved_ahead = None
        for word, before in _anchors(mine, pivot):
            sides = {t.i < same[0].i for t in theirs if _anchor(t) and lemma(t) == word.lemma}
            if len(sides) == 1 and before not in sides:
                moved_back, moved_ahead = (word.text, moved_ahead) if before else (moved_back, word.text)
        if moved_back and moved_ahead:
            return f"“{moved_back}” and “{moved_ahead}”"
    return None


@dataclass(frozen=True)
class _Word:
    lemma: str
    text: str


def _anchors(doc, pivot) -> list[tuple[_Word, bool]]:
    """The nouns of `doc` named once in it, each with whether it stands before `pivot`."""
    counts: dict[str, int] = {}
    for t in doc:
        if _anchor(t):
            counts[lemma(t)] = counts.get(lemma(t), 0) + 1
    return [(_Word(lemma(t), t.text), t.i < pivot.i) for t in doc if _anchor(t) and counts[lemma(t)] == 1]


def _anchor(token) -> bool:
    return token.pos_ in ("NOUN", "PROPN")


def _pivot(token) -> bool:
    if token.lower_ == "than":
        return True
    word = lemma(token)
    return token.pos_ == "VERB" and word not in LIGHT_VERBS and word not in RECIPROCAL and word not in REPORTING \
        and not any(c.dep_ in ("ccomp", "parataxis") for c in token.children) and token.dep_ != "parataxis"


def _passive(token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in token.children)


def _converse(mine, theirs) -> bool:
    """Whether one text holds an opposite of a word of the other ("less" against "more"): then an
    exchange of places may say the same ("A costs more than B", "B costs less than A")."""
    said, held = stems(mine.text), stems(theirs.text)
    return any(opposites(term) & held for term in said - held)


def reattached(claim: str, sentence: str) -> str | None:
    """What the claim says after one of two opposite words that the sentence says after the other:
    "smallest on the steepest farm" against "largest on the steepest farm, and smallest on the flat
    farm"; "rose in the north" against "fell in the north and rose in the south". Read from word
    order (the words after each, up to the next of the two), as the parser does not reliably attach
    such phrases. "“A” (it says “B”)"."""
    mine, theirs = parse(claim), parse(sentence)
    held = {stem(lemma(t)): t for t in theirs}
    said_terms = {stem(lemma(t)) for t in mine}
    for i, word in enumerate(mine):
        if word.pos_ not in ("ADJ", "VERB", "ADV"):
            continue
        term = stem(lemma(word))
        for other in sorted(opposites(term)):
            if term not in held or other not in held or other in said_terms:
                continue
            said = _after(mine, i, {term, other})
            own, opposite = (_after(theirs, held[w].i, {term, other}) for w in (term, other))
            if len(said & opposite) > len(said & own):
                return f"“{word.text} {_phrase(mine, i)}” (it says “{held[other].text} {_phrase(mine, i)}”)"
    return None


_REACH = 8  # the words after a word that can be what it says of


def _after(doc, i: int, stops: set[str]) -> set[str]:
    """The content lemmas after token `i`, up to the next of `stops`, a semicolon or _REACH words."""
    found = set()
    for t in doc[i + 1:i + 1 + _REACH]:
        if stem(lemma(t)) in stops or t.text in (";", ":"):
            break
        if t.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
            found.add(lemma(t))
    return found


def _phrase(doc, i: int) -> str:
    words = []
    for t in doc[i + 1:i + 1 + _REACH]:
        if t.is_punct and t.text != "'":
            break
        words.append(t.text)
    return " ".join(words)


def paired_otherwise(claim: str, sentence: str) -> str | None:
    """Two lists a "respectively" pairs in order ("services in Auckland and Wellington, operated by
    Transdev and Metlink, respectively"), of which the claim pairs an item of one with another
    place's item of the other ("Wellington ... Transdev"): "“Wellington” with “Metlink”", or None."""
    doc = parse(sentence)
    if not any(t.lower_ == "respectively" for t in doc):
        return None
    lists = [items for items in (_coordinated(t) for t in doc if t.dep_ != "conj") if len(items) >= 2]
    said = {lemma(t) for t in parse(claim)}
    for i, first in enumerate(lists):
        for second in lists[i + 1:]:
            mine = [[k for k, t in enumerate(items) if lemma(t) in said] for items in (first, second)]
            if len(first) == len(second) and all(len(k) == 1 for k in mine) and mine[0] != mine[1]:
                return f"“{first[mine[0][0]].text}” with “{second[mine[0][0]].text}”"
    return None


def _coordinated(token) -> list:
    """`token` and the words joined to it by "and" or commas, in order."""
    items = [token]
    while True:
        joined = [c for c in items[-1].children if c.dep_ == "conj"]
        if not joined:
            return items
        items.append(joined[0])
