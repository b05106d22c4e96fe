"""HTML: inline elements never break a sentence, block elements do; tables become one statement
a row; scripts, styles and navigation are not content. A web page is read for its article alone:
readability-lxml finds the article, and of the page's own blocks (as the walker reads them) those
whose words the article holds are kept, so menus, share bars, "related stories" and comments drop
out while sentences stay as whole as the walker makes them. When the article found is too small a
part of the page, the whole page is read (a plain document, a short page)."""
from __future__ import annotations

import re
from collections import Counter
from typing import Callable

from rag.ingest.layout import Layout, Parsed, looks_like_heading, table_rows
from rag.ingest.formats.text import decode

SKIP = {"script", "style", "noscript", "template", "head", "nav", "svg", "button", "select", "form"}
HEADINGS = {f"h{n}": n for n in range(1, 7)}
BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "figure",
    "figcaption", "ul", "ol", "dl", "dt", "dd", "address", "hr", "br", "body", "html", "details",
    "summary", "caption", "center", "fieldset", "legend", *HEADINGS,
}
STATEMENTS = {"li", "dd", "dt"}  # short items here still state something ("Cost: 2.3 million euros")
IN_ARTICLE = 0.6  # share of a block's words the article must hold for the block to be kept
MIN_ARTICLE = 0.2  # an article under this share of the page's text: read the whole page
MIN_ARTICLE_CHARS = 200
# A heading tag round a paragraph of prose (a slideshow's caption in an <h1>) heads nothing, unless
# it opens the page (its title); a short paragraph set wholly in bold ("<p><strong>Techniques
# used</strong></p>", as blogs write subheads) heads what follows, below every tagged level.
MAX_HEADING_WORDS = 25
BOLD = {"strong", "b"}
BOLD_LEVEL = 6


def read(data: bytes) -> Parsed:
    html = decode(data)
    return article(html, walk(html))


def article(html: str, whole: Parsed) -> Parsed:
    """The page's article blocks, or `whole` (the page as walked) when no article stands out."""
    words = _article_words(html)
    if words is None:
        return whole
    kept = walk(html, keep=lambda text: _held(text, words))
    return kept if len(kept.text) >= MIN_ARTICLE * len(whole.text) else whole


def walk(html: str, keep: Callable[[str], bool] | None = None) -> Parsed:
    """The page's blocks (those `keep` accepts), as the walker reads them."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    walker = Walker(keep)
    walker.walk(soup)
    walker.flush()
    return walker.layout.finish(title or None)


def _article_words(html: str) -> Counter | None:
    """The words of the page's article as readability-lxml finds it, or None (none, or too short)."""
    try:
        from bs4 import BeautifulSoup
        from readability import Document

        text = BeautifulSoup(Document(html).summary(html_partial=True), "html.parser").get_text(" ")
    except Exception:  # noqa: BLE001 - a page readability cannot parse is read whole
        return None
    return Counter(_words(text)) if len(text.strip()) >= MIN_ARTICLE_CHARS else None


def _held(text: str, article: Counter) -> bool:
    words = Counter(_words(text))
    total = sum(words.values())
    return total > 0 and sum(min(n, article[w]) for w, n in words.items()) >= IN_ARTICLE * total


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class Walker:
    def __init__(self, keep: Callable[[str], bool] | None = None):
        self.layout = Layout()
        self.buffer: list[str] = []
        self.kind: str | int | None = None
        self.headed = False  # a heading has been read
        self.keep = keep or (lambda text: True)  # which blocks of the page to read

    def walk(self, node) -> None:
        from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag) -> None:
        name = tag.name.lower()
        if name in SKIP:
            return
        if name == "table":
            self.flush()
            rows = [[c.get_text(" ") for c in tr.find_all(["td", "th"])] for tr in tag.find_all("tr")]
            header = bool(tag.find("tr") and tag.find("tr").find("th"))
            for row in table_rows(rows, header):
                if self.keep(row):
                    self.layout.block(row)
            return
        if name == "pre":
            self.flush()
            for line in tag.get_text().splitlines():
                if self.keep(line):
                    self.layout.block(line)
            return
        if name in BLOCKS or name in STATEMENTS:
            self.flush()
            self.kind = BOLD_LEVEL if name in ("p", "div") and _all_bold(tag) else name
            self.walk(tag)
            self.flush(self.kind)
            return
        self.walk(tag)

    def flush(self, name: str | int | None = None) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if not text or not self.keep(text):
            return
        kind = name or self.kind
        heading = self._level(kind, text)
        label = heading is None and kind not in STATEMENTS and looks_like_heading(text)
        self.layout.block(text, heading, label=label)
        self.headed = self.headed or heading is not None

    def _level(self, kind: str | int | None, text: str) -> int | None:
        if kind == BOLD_LEVEL:
            return BOLD_LEVEL if looks_like_heading(text) else None
        level = HEADINGS.get(kind or "")
        if level is None or (self.headed and len(text.split()) > MAX_HEADING_WORDS):
            return None  # the first heading, the title, may be long
        return level


def _all_bold(tag) -> bool:
    """Whether every word of the block, and no other block, stands inside a <strong> or <b>."""
    if tag.find(lambda t: t.name in BLOCKS):
        return False
    outer = " ".join(b.get_text(" ", strip=True) for b in tag.find_all(BOLD) if b.find_parent(BOLD) is None)
    text = " ".join(tag.get_text(" ", strip=True).split())
    return bool(text) and " ".join(outer.split()) == text
