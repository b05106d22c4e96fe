"""`rag eval --web-pages DIR`: how much of a saved web page the HTML reader indexes, against the
article each page should give (folders of source.html and expected.html, as in
../shared/bench/web-pages). Per page and overall, for the reader as configured (`article`) and for
the whole page read as it was before (`page`): the share of the article's sentences that come out
whole (`whole`; `whole_prose` counts only sentences of five words or more that end as sentences do,
not photo credits or datelines), and the indexed text's length over the article's (`ratio`)."""
from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from rag.errors import RagError
from rag.ingest.formats import html as html_reader
from rag.ingest.formats.text import decode
from rag.language.sentences import split_sentences

QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
PROSE_END = re.compile(r"[.!?][\"')\]]*$")


def evaluate_web_pages(folder: Path) -> dict:
    pages = sorted(p for p in Path(folder).iterdir() if (p / "source.html").exists() and (p / "expected.html").exists())
    if not pages:
        raise RagError(f"No pages in {folder}: each page is a folder with source.html and expected.html.")
    started = time.perf_counter()
    rows = [_page(p) for p in pages]
    return {"pages": len(rows), **{kind: _summary([r[kind] for r in rows]) for kind in ("article", "page")},
            "per_page": rows, "seconds": round(time.perf_counter() - started, 2)}


def _page(folder: Path) -> dict:
    source = decode((folder / "source.html").read_bytes())
    expected = _sentences(html_reader.walk(decode((folder / "expected.html").read_bytes())).text)
    article = [s for s in expected if len(s) > 20]
    prose = [s for s in article if len(s.split()) >= 5 and PROSE_END.search(s)]
    length = max(1, len(" ".join(expected)))
    out = {"name": folder.name}
    page = html_reader.walk(source)
    for kind, parsed in (("article", html_reader.article(source, page)), ("page", page)):
        sentences = _sentences(parsed.text)
        got = set(sentences)
        out[kind] = {"whole": _share(article, got), "whole_prose": _share(prose, got),
                     "ratio": round(len(" ".join(sentences)) / length, 3)}
    return out


def _sentences(text: str) -> list[str]:
    return [" ".join(text[a:b].translate(QUOTES).split()) for a, b in split_sentences(text)]


def _share(wanted: list[str], got: set[str]) -> float:
    return round(sum(s in got for s in wanted) / len(wanted), 4) if wanted else 1.0


def _summary(rows: list[dict]) -> dict:
    ratios = sorted(r["ratio"] for r in rows)
    return {"whole": round(statistics.mean(r["whole"] for r in rows), 4),
            "whole_prose": round(statistics.mean(r["whole_prose"] for r in rows), 4),
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_p90": round(ratios[min(len(ratios) - 1, round(0.9 * (len(ratios) - 1)))], 3)}
