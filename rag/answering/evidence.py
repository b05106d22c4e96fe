"""What a question asks for, read from its words: the specifics the documents must hold (a number,
a year or century, a name), the kind of answer it wants, and whether it asks about a document as
a whole. Pure functions, shared by the extractive answerer and the citation checker."""
from __future__ import annotations

import re

from rag.language.relations import RECIPROCAL
from rag.language.words import fold, function_word, key_terms, spelled_out, stem

_WORD = re.compile(r"[\w'’.-]*\w")
_NUMBER = re.compile(r"\d[\d,.]*(?:s|st|nd|rd|th)?")
_QUOTED = re.compile(r"[\"“]([^\"”]{2,60})[\"”]")
_YEAR = re.compile(r"\b(1\d{3}|20\d\d)s?\b|\b\d{1,2}(st|nd|rd|th) centur|\bcentur(y|ies)\b", re.I)
_AMOUNT = re.compile(r"\b\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                     r"hundred|thousand|million|billion|dozen|half|several)\b", re.I)
_SUMMARY = re.compile(
    r"\b(summari[sz]e|summary|sum up|overview|tl;?dr|main (points|ideas|findings)|key (points|takeaways)"
    r"|what (is|are) (this|the|these) (document|article|text|file|report|page|paper)s? about)\b", re.I)
_ASKS_WHEN = re.compile(r"^\s*(when|(in |during )?(what|which) (year|century|decade|date|period))\b", re.I)
_ASKS_AMOUNT = re.compile(r"^\s*how (many|much|long|old|far|often)\b", re.I)
_ASKS_WHO = re.compile(r"^\s*(who|whom|whose)\b", re.I)
# A superlative narrows a claim ("the oldest work" is not "the most famous work"); "first" and
# "most" are left out: passages say them in too many ways ("first recorded" = "earliest").
_SUPERLATIVE = re.compile(r"^(oldest|youngest|earliest|latest|largest|biggest|smallest|highest|lowest|longest"
                          r"|shortest|greatest|best|worst|richest|poorest|strongest|weakest|fastest|slowest)$", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")  # "Edgar's" names Edgar
_ASKS_OBJECT = re.compile(r"^\s*(who|whom|what|which)\b", re.I)
_PREPOSITION = re.compile(r"^(to|with|from|for|of|by|on|in|into|at|against|about|under|over)$", re.I)
_PERSON = re.compile(r"(?<=\S\s)[A-Z][a-z]+(?:\s+(?:[A-Z][a-z]+|[IVX]+))+")  # two capitalised words, not opening


def specifics(question: str) -> list[str]:
    """The parts of a question the answer's passage must contain: numbers, years, ordinals,
    quoted phrases, superlatives and names (capitalised words after the first), possessives dropped."""
    found = [m[1] for m in _QUOTED.finditer(question)]
    for i, match in enumerate(_WORD.finditer(question)):
        word = _POSSESSIVE.sub("", match[0])
        if _NUMBER.fullmatch(word):
            found.append(re.sub(r"(?<=\d)s$", "", word))  # "1000s" asks about 1000
        elif i > 0 and word[:1].isupper() and len(word) > 1 or _SUPERLATIVE.match(word):
            found.append(word)
        elif "-" in word:  # "93-year-old"
            found += [part for part in word.split("-") if _NUMBER.fullmatch(part)]
    return list(dict.fromkeys(found))


def missing_specifics(question: str, context: str) -> list[str]:
    """The question's specifics that the context does not hold, as a word or a word's start;
    a word's stem or a longer word's root counts too ("Marry" is held by "married", "Korean"
    by "Korea")."""
    folded = fold(context)
    return [s for s in specifics(question)
            if not any(re.search(r"(?<!\w)" + re.escape(form), folded) for form in _forms(fold(s).rstrip(".")))
            and not spelled_out(s, context)]


def _forms(word: str) -> set[str]:
    if not word.isalpha():
        return {word}
    return {word, stem(word)} | ({word[:-2]} if len(word) >= 6 else set())


def wanted(question: str) -> re.Pattern | None:
    """What a sentence must hold to answer a "when", "how many" or "who" question."""
    if _ASKS_WHEN.search(question):
        return _YEAR
    if _ASKS_AMOUNT.search(question):
        return _AMOUNT
    if _ASKS_WHO.search(question):
        return _PERSON
    return None


_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# What a "when" answer holds: what `wanted` asks of it (a year or century), a three-digit year
# after a preposition, a date, month, weekday, clock time or time of day.
_TIME = re.compile(rf"{_YEAR.pattern}|\b(in|since|by|until|from|around|before|after|circa|c\.) \d{{3}}\b"
                   rf"|\b\d{{1,2}}(st|nd|rd|th)\b|\b\d{{1,2}}[:.]\d{{2}}\b|\b\d{{1,2}} ?([ap]m|[ap]\.m\.)"
                   rf"|\b{_MONTH}\b|\b(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.? \d|\b(monday|tuesday"
                   r"|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow|tonight|noon|midnight|dawn"
                   r"|dusk|morning|evening|night|ago|decade|spring|summer|autumn|winter)\b", re.I)
_DATE_SPAN = re.compile(rf"\b(?:\d{{1,2}} {_MONTH} )?(?:{_MONTH} )?\d{{3,4}}s?\b"
                        r"|\b\d{1,2}(?:st|nd|rd|th)(?: and \d{1,2}(?:st|nd|rd|th))? centur(?:y|ies)\b")
_AMOUNT_SPAN = re.compile(r"\b\d[\d,.]*\d(?: (?:million|billion|thousand|hundred))?\b|\b\d\b|\b(?:one|two|three|four|"
                          r"five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|dozen)\b", re.I)
_NAME_SPAN = re.compile(r"(?<=\S )[A-Z][\w'’-]+(?:\s+(?:(?:of|de|the|von|van|la|le)\s+)?[A-Z][\w'’-]+)*")
_SPANS = ((_ASKS_WHEN, _DATE_SPAN), (_ASKS_AMOUNT, _AMOUNT_SPAN), (_ASKS_WHO, _NAME_SPAN))


def asks_when(question: str) -> bool:
    return _ASKS_WHEN.search(question) is not None


def gives_time(text: str) -> bool:
    """A date, year, century, month, weekday, clock time or time of day: what a "when" answer holds."""
    return _TIME.search(text) is not None


def slot_taken(question: str, sentence: str) -> bool:
    """A question that ends at its verb or preposition ("Who did Edgar marry?") asks for what
    follows those words. When the sentence has them followed by one of the question's own names
    ("Malcolm married Edgar's sister"), the question swapped who did what to whom."""
    words = _WORD.findall(question)
    if not _ASKS_OBJECT.match(question) or len(words) < 3 or words[-1][:1].isupper():
        return False
    names = {_bare(w) for w in words[1:] if w[:1].isupper()}
    tail = [_stem(w) for w in (words[-2:] if _PREPOSITION.match(words[-1]) else words[-1:])]
    found = _WORD.findall(sentence)
    stems = [_stem(w) for w in found]
    for i in range(len(stems) - len(tail)):
        if stems[i:i + len(tail)] == tail:
            after = [w for w in found[i + len(tail):i + len(tail) + 2] if w.lower() not in ("the", "a", "an")]
            if after and _bare(after[0]) in names:
                return True
    return False


# A named subject and its verb: capitalised words between a question's auxiliary and its verb
# ("When did King Harold II conquer England?"), or opening a claim ("Harold II conquered England.").
_SUBJECT_VERB = re.compile(r"^\s*(?i:who|whom|what|which|when|where|why|how)\b.*?\b(?i:did|does|do)\s+"
                           r"((?:[A-Z][\w'’-]*\s+)+)([a-z]{3,})\b")
_CLAIM_SUBJECT_VERB = re.compile(r"^\s*((?:[A-Z][\w'’-]*\s+)+)([a-z]{3,})\b")
_ROMAN = re.compile(r"[IVX]+")
# Before a verb: it is passive ("was conquered"), a noun ("the conquest") or an infinitive whose
# subject the sentence does not say ("to serve as a general was Hervé").
_NOT_ACTING = re.compile(r"\b(?:was|were|is|are|be|been|being|the|a|an|his|her|its|their|to)\s+$", re.I)
_IRREGULAR = {"take": "took taken", "lead": "led", "make": "made", "give": "gave given", "become": "became",
              "go": "went gone", "build": "built", "fight": "fought", "win": "won", "lose": "lost", "hold": "held",
              "bring": "brought", "send": "sent", "leave": "left", "meet": "met", "begin": "began begun",
              "write": "wrote written", "fall": "fell fallen", "see": "saw seen", "find": "found", "tell": "told",
              "sell": "sold", "pay": "paid", "buy": "bought", "teach": "taught", "seek": "sought", "keep": "kept",
              "lay": "laid", "flee": "fled", "rise": "rose risen", "choose": "chose chosen", "drive": "drove driven",
              "break": "broke broken", "steal": "stole stolen", "swear": "swore sworn", "strike": "struck",
              "wear": "wore worn", "throw": "threw thrown", "forbid": "forbade forbidden", "overthrow": "overthrew",
              "speak": "spoke spoken"}
# "Biden met Xi" says "Xi met Biden": either name may come first. The parse's table, as stems.
_SYMMETRIC = {stem(fold(form)) for verb in RECIPROCAL for form in (verb, *_IRREGULAR.get(verb, "").split())}


def subject_taken(text: str, sentence: str) -> bool:
    """A question or claim whose subject is a name ("When did King Harold II conquer England?") against
    a sentence that has that name after the verb, in its clause, and not before it ("Duke William II
    of Normandy conquered England killing King Harold II"): the sentence has it acted upon, not
    acting. A passive verb ("was conquered by"), a noun ("the return of") or an infinitive is left alone."""
    match = (_SUBJECT_VERB if _WH.match(text) else _CLAIM_SUBJECT_VERB).match(text)
    if match is None or function_word(match[2]):  # ("did Edward the Confessor's son return": no verb found)
        return False
    names = {_bare(w) for w in match[1].split() if not function_word(w) and not _ROMAN.fullmatch(w)}
    verb = match[2].lower()
    forms = {_stem(verb)} | {_stem(w) for w in _IRREGULAR.get(verb, "").split()}
    if forms & _SYMMETRIC:
        return False
    words = list(_WORD.finditer(sentence))
    for i, word in enumerate(words):
        if _stem(word[0]) in forms:
            if _NOT_ACTING.search(sentence[:word.start()]):
                return False
            before = {_bare(w[0]) for w in words[:i]}
            acted_on = {_bare(w) for w in _WORD.findall(_clause_after(sentence, word.end()))}
            return bool(names & acted_on) and not names & before
    return False


def names_swapped(question: str, sentence: str) -> bool:
    """`sentence` has the names of `question` in each other's roles: its named subject acted upon,
    or the question's own name where its answer should be. (A statement's roles are read from its
    parse: rag/language/relations.py.)"""
    return slot_taken(question, sentence) or subject_taken(question, sentence)


def _clause_after(sentence: str, offset: int) -> str:
    """The rest of the clause that `offset` falls in: up to the next punctuation mark."""
    return re.split(r"[;:,.!?()—–]", sentence[offset:], maxsplit=1)[0]


def _bare(word: str) -> str:
    return fold(_POSSESSIVE.sub("", word))


def _stem(word: str) -> str:
    return stem(fold(word))


def short_span(question: str, sentence: str) -> tuple[int, int] | None:
    """Where in `sentence` the short answer to a "when", "how many" or "who" question sits: the one
    date, number or name it holds that the question does not name; None when there is no such
    span or more than one (then the sentence is the answer)."""
    asked = fold(question)
    asked_words = set(asked.split())
    for asks, pattern in _SPANS:
        if asks.search(question):
            found = [m for m in pattern.finditer(sentence)
                     if fold(m[0]) not in asked and not any(len(w) > 3 and fold(w) in asked_words for w in m[0].split())]
            return found[0].span() if len(found) == 1 else None
    return None


# A verb negated: "did not have", "couldn't reach", "never took". "is not a tapestry but embroidery"
# corrects a noun rather than denying a claim, so the copula is left out.
_DENIAL = re.compile(r"\b(?:(?:do|does|did|could|would|will|can|has|have|had|should|must)\s+not|(?:do|does|did|could|"
                     r"would|wo|ca|has|have|had|should|must)n['’]t|never)\b", re.I)
_WH = re.compile(r"^\s*(who|whom|whose|what|which|when|where|why|how)\b", re.I)


def denied(text: str, sentence: str, names: frozenset[str] = frozenset()) -> str | None:
    """Where `sentence` denies what `text` (a claim, or a question's presupposition) asserts: a
    negated verb followed within three words of its clause by one of the text's key terms, the text
    itself not negated. ("What kind of art did the Normans have a rich tradition of?" against "the Normans did
    not have the rich and distinctive traditions..." gives "did not have the rich".) A term of the
    text's `names` counts only right after the negation: "didn't work on Snapchat's CEO, who
    rebuffed an offer" negates another verb about the same name."""
    if _DENIAL.search(text) or re.search(r"\bnot\b", text, re.I):
        return None
    found = _negated_terms(sentence, set(key_terms(text)), _DENIAL, nouns_corrected=False, names=names)
    return next(iter(found.values()), None)


# Any negation, the copula's included: a statement's polarity, where a question's is not read;
# "failed to send" and "refused to sign" deny what follows as "did not" does.
_NEGATED = re.compile(r"\b(?:not|never|no\s+longer|without|(?:fail|refus)(?:e|es|s|ed|ing)?\s+to)\b|n['’]t\b", re.I)
# What grants the other side's negation: a determiner's as well ("would have no impact on the
# operations" for "would not affect the operations").
_GRANTING = re.compile(_NEGATED.pattern + r"|\b(?:no|none|nothing|nobody|neither|nor)\b", re.I)


def polarity_flipped(claim: str, sentence: str, names: frozenset[str] = frozenset()) -> str | None:
    """Where a statement and its passage disagree on a negation over the same word, the copula's
    included: "Monthly passes are affected" against "are not affected", "the engines had not been
    overhauled" against "had been overhauled". A negation followed by an article ("is not a
    tapestry but embroidery") corrects a noun and is left alone; a term of `names` is no such word
    (see `denied`). Returns the negated phrase."""
    terms = set(key_terms(claim))
    in_claim, in_sentence = _negated_terms(claim, terms, names=names), _negated_terms(sentence, terms, names=names)
    # the other side may put a word or two between ("not to take any tablets"): read it further on
    far_claim, far_sentence = (_negated_terms(text, terms, _GRANTING, reach=_FAR, names=names)
                               for text in (claim, sentence))
    said = {_stem(w) for w in _words(sentence)}
    for term, phrase in {**in_sentence, **in_claim}.items():
        if ((term in in_claim and term not in far_sentence) or (term in in_sentence and term not in far_claim)) \
                and term in said:
            return phrase
    return None


_NEAR, _FAR = 3, 6  # words after a negation that it governs: to find one, and to grant one


def _words(text: str) -> list[str]:
    """The words of `text`, a hyphenated one in its parts ("open-source" says "open" and "source")."""
    return [part for word in _WORD.findall(text) for part in word.split("-") if part]


def _negated_terms(text: str, terms: set[str], negation: re.Pattern = _NEGATED,
                   nouns_corrected: bool = True, reach: int = _NEAR, names: frozenset[str] = frozenset()
                   ) -> dict[str, str]:
    """The key terms a `negation` governs in `text` (within `reach` words of it, in its clause), each
    with its negated phrase, in the order they come; a term of `names` only right after it ("is not
    Hermitian", not "didn't work on Snapchat"). With `nouns_corrected`, a negation followed by an
    article ("is not a tapestry but") is passed over."""
    found = {}
    for match in negation.finditer(text):
        after = _words(_clause_after(text, match.end()))[:reach]
        if nouns_corrected and after and after[0].lower() in ("a", "an", "the", "only", "just") \
                and match[0].lower() != "without":  # "without the agreement" corrects nothing
            continue
        for i, word in enumerate(after):
            if _stem(word) in terms and (i == 0 or _stem(word) not in names):
                found.setdefault(_stem(word), " ".join([match[0], *after[:i + 1]]))
    return found


def asks_what_is_presupposed(question: str) -> bool:
    """A wh-question takes its claim as given ("Who commissioned the Tapestry?" says someone did);
    a yes/no question asks whether it holds, and "no" is an answer."""
    return _WH.match(question) is not None


def asks_for_summary(question: str) -> bool:
    return bool(_SUMMARY.search(question))


def paragraph(text: str, offset: int, before: int = 1) -> str:
    """The line (a paragraph, as the readers lay text out) of `text` around `offset`, with the
    `before` lines ahead of it (where "the authority" was named in full, say)."""
    start = text.rfind("\n", 0, offset) + 1
    for _ in range(before):
        if start > 0:
            start = text.rfind("\n", 0, start - 1) + 1
    end = text.find("\n", offset)
    return text[start:] if end < 0 else text[start:end]
