"""HTML: inline elements never break a sentence, block elements do; tables become one statement
a row; scripts, styles and navigation are not content."""
from __future__ import annotations

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


def read(data: bytes) -> Parsed:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(data), "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    walker = Walker()
    walker.walk(soup)
    walker.flush()
    return walker.layout.finish(title or None)


class Walker:
    def __init__(self):
        self.layout = Layout()
        self.buffer: list[str] = []
        self.kind: str | None = None

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
                self.layout.block(row)
            return
        if name == "pre":
            self.flush()
            for line in tag.get_text().splitlines():
                self.layout.block(line)
            return
        if name in BLOCKS or name in STATEMENTS:
            self.flush()
            self.kind = name
            self.walk(tag)
            self.flush(name)
            return
        self.walk(tag)

    def flush(self, name: str | None = None) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if not text:
            return
        kind = name or self.kind
        heading = HEADINGS.get(kind or "")
        label = heading is None and kind not in STATEMENTS and looks_like_heading(text)
        self.layout.block(text, heading, label=label)

