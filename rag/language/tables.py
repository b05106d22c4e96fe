"""A table row as the readers write it, "Dataset: scifact; BM25S: 952.92; Elastic: 20.81" (each cell
under its column's header): which value stands under which header."""
from __future__ import annotations

import re

from rag.language.words import content_words

_ROW = re.compile(r"[^:;\n]{1,80}: [^;\n]+(?:; [^:;\n]{1,80}: [^;\n]+)+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def cells(sentence: str) -> list[tuple[str, str]]:
    """The (header, value) cells of a table row, or none for any other sentence."""
    text = sentence.strip().rstrip(".")
    if not _ROW.fullmatch(text):
        return []
    row = [tuple(cell.split(": ", 1)) for cell in text.split("; ")]
    # prose with a list in brackets is no row: "The Normans (Norman: Nourmands; French: Normands) were"
    return row if all(part.count("(") == part.count(")") for cell in row for part in cell) else []


def misplaced_value(claim: str, sentence: str) -> str | None:
    """A number of the claim that the row has under another header than the one the claim names
    ("Elastic reaches 952.92" against "BM25S: 952.92; Elastic: 20.81"): "“952.92” under “BM25S”"."""
    row = cells(sentence)
    said = {term for _, term in content_words(claim)}
    named = [header for header, _ in row if _names(header, said)]
    if not named:
        return None
    for number in _NUMBER.findall(claim):
        under = [header for header, value in row if number in _NUMBER.findall(value)]
        if under and not any(header in named for header in under):
            return f"“{number}” under “{under[0]}”"
    return None


def _names(header: str, said: set[str]) -> bool:
    terms = {term for _, term in content_words(header)}
    return bool(terms) and terms <= said
