"""Markdown parsed as CommonMark (markdown-it-py): soft-wrapped lines joined, headings, list items,
table rows and code lines as blocks of their own, link text kept and URLs dropped; YAML front
matter gives the title and tags and is not indexed as text."""
from __future__ import annotations

import re

from rag.ingest.formats.html import HEADINGS
from rag.ingest.layout import Layout, Parsed, keywords, looks_like_heading, table_rows
from rag.ingest.formats.text import decode

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def read(data: bytes) -> Parsed:
    text, front = front_matter(decode(data))
    parsed = _read(text)
    parsed.title = str(front.get("title") or "").strip() or parsed.title
    parsed.tags = keywords(front.get("tags") or front.get("keywords"))
    return parsed


def front_matter(text: str) -> tuple[str, dict]:
    """The text without its YAML front matter, and that front matter (a mapping, else {})."""
    import yaml

    match = FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        front = yaml.safe_load(match[1])
    except yaml.YAMLError:
        return text, {}  # not front matter after all: a thematic break and some text
    return (text[match.end():], front) if isinstance(front, dict) else (text, {})


def _read(text: str) -> Parsed:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    layout = Layout()
    heading: int | None = None
    rows: list[list[str]] | None = None  # inside a table: its rows so far
    lists = 0  # list items state; a short unpunctuated paragraph elsewhere only labels
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "heading_close":
            heading = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "table_open":
            rows = []
        elif kind == "tr_open":
            rows.append([])
        elif kind == "inline" and rows is not None:
            rows[-1].append(inline_text(token))
        elif kind == "table_close":
            for row in table_rows(rows, header=True):
                layout.block(row)
            rows = None
        elif kind == "inline":
            text = inline_text(token)
            layout.block(text, heading, label=not lists and looks_like_heading(text))
        elif kind in ("fence", "code_block"):
            for line in token.content.splitlines():
                layout.block(line)
        elif kind == "html_block":
            text, level = _html_block(token.content)
            layout.block(text, level)
    return layout.finish()


def inline_text(token) -> str:
    """What a reader sees: emphasis and links reduced to their text, images to their alt text."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def _html_block(html: str) -> tuple[str, int | None]:
    """The text of a block of raw HTML, and its level when the block is a heading alone: a README
    opening with `<h1>Name</h1>` in a centred header has its title there."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    text = " ".join(soup.get_text(" ").split())
    heading = soup.find(list(HEADINGS))
    if heading is not None and " ".join(heading.get_text(" ").split()) == text:
        return text, HEADINGS[heading.name]
    return text, None
