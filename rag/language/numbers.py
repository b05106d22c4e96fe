"""Numbers however they are written: "six and a half", "6 ½" and "6.5" are one value. numerizer
turns number words into numerals; a vulgar fraction after a whole number is added to it."""
from __future__ import annotations

import functools
import re

_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125}
_MIXED = re.compile(r"(\d+)?\s*([" + "".join(_FRACTIONS) + "])")
# numerizer reads every "a" as 1; only "a half", "a dozen", "a hundred" count something
_ARTICLE = re.compile(r"\b[Aa]\b(?!\s+(?:half|quarter|third|dozen|hundred|thousand|million|billion)\b)")
_NUMERAL = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:/\d+)?")


@functools.lru_cache(maxsize=4096)
def values(text: str) -> frozenset[float]:
    """Every number `text` writes, in digits or in words, as a value."""
    from numerizer import numerize

    try:
        return digits(numerize(_ARTICLE.sub("", text)))
    except Exception:  # noqa: BLE001 - numerizer gives up on some strings: read the digits alone
        return digits(text)


def digits(text: str) -> frozenset[float]:
    """The numbers `text` writes in digits ("6 ½" is 6.5), as values."""
    text = _MIXED.sub(lambda m: f" {int(m[1] or 0) + _FRACTIONS[m[2]]:g} ", text)
    return frozenset(_value(n) for n in _NUMERAL.findall(text))


def _value(numeral: str) -> float:
    whole, _, over = numeral.replace(",", "").partition("/")
    return round(float(whole) / float(over), 6) if over and float(over) else round(float(whole), 6)


def number_word(word: str) -> bool:
    """Whether `word` is (part of) a number written out: "six", "half", "twenty-two"."""
    return bool(values(word)) and not re.search(r"\d", word)


def written_alike(claim: str, evidence: str) -> bool:
    """Whether every number `claim` writes in words stands in `evidence`, as digits or words."""
    return not values(claim) - digits(claim) - values(evidence)
