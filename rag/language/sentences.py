"""Sentence boundaries: the spans that chunks are packed from, citations quote, and grounding
matches an LLM's sentences against."""
from __future__ import annotations

import re

Span = tuple[int, int]

FOOTNOTE = r"\[(?:[a-z]{1,3} )?\w{1,4}\]"  # Wikipedia's "[146]", "[n 1]", a paper's "[12]"
# A sentence's end takes the footnote marks after it: "Southern Alps.[146] There are 18 peaks" is two
# sentences, where the marks had glued it to the next.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?:" + FOOTNOTE + r")*(?=\s)")
_ATTACHED_MARKS = re.compile(r"(?<=[^\s\[])(?:" + FOOTNOTE + r")+")


def without_footnotes(text: str) -> str:
    """`text` without the footnote marks written onto its words ("Zeeland.[14][15]": "Zeeland."), so
    that a parse reads the words alone."""
    return _ATTACHED_MARKS.sub("", text)
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc",
    "ltd", "co", "corp", "no", "fig", "al", "approx", "dept", "gen", "gov", "sen", "rep",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "cf", "ca", "vol", "pp", "eq", "ref", "refs",
}
_OPENERS = "\"'“‘([«"


def split_sentences(text: str) -> list[Span]:
    """(start, end) of each sentence; lines never join, abbreviations never split."""
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for match in _BOUNDARY.finditer(text, line.start(), line.end()):
            if _is_sentence_end(text, match.start(), match.end(), line.end()):
                spans.append((start, match.end()))
                start = match.end()
        spans.append((start, line.end()))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s]


def _is_sentence_end(text: str, dot: int, end: int, line_end: int) -> bool:
    following = text[end:line_end].lstrip()
    if following and not (following[0].isupper() or following[0].isdigit() or following[0] in _OPENERS):
        return False
    if text[dot] != ".":
        return True
    word = text[:dot].rsplit(None, 1)[-1] if text[:dot].strip() else ""
    word = word.lstrip(_OPENERS).lower()
    return not (word in _ABBREVIATIONS or re.fullmatch(r"[a-z](\.[a-z])*", word))


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
