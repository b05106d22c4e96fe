"""A realistic corpus written out in every format, and the share of its sentences a loader recovers.

The same content (the seed article, and a news item with headings, inline markup, a list and a
table) is written the way people's files are: PDF wrapped by layout over several pages with a
running header, page numbers and hyphenated line ends; Markdown hard-wrapped at 72 columns; HTML
with inline elements and wrapped source lines; DOCX with heading styles, runs, lists and a table.
"""
from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass, field

from tests.conftest import SEED_FILE

INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|\[(.+?)\]\((\S+?)\)")


def _seed_blocks() -> list[tuple]:
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    blocks: list[tuple] = [("h1", lines[0]), ("p", lines[1])]
    return blocks + [("p", line) for line in lines[2:] if line.strip()]


NEWS: list[tuple] = [
    ("h1", "Harbour ferry returns after repairs"),
    ("p", "The regional transport authority said on Monday that the harbour ferry will return to "
          "service on 2 December, after four months in dry dock. The vessel, built in 1998, carried "
          "about 1.2 million passengers a year before the repairs."),
    ("p", "The authority’s director, **Marta Kovacs**, said the hull and both engines had been "
          "overhauled. “We expect the ferry to serve the harbour for another fifteen years,” she said "
          "in a statement published on the [authority’s website](https://transport.example.org/news)."),
    ("h2", "Ferry service"),
    ("p", "Service will run every *20 minutes* at peak times. Off-peak departures leave every "
          "40 minutes, and the last crossing leaves the north pier at 23:10."),
    ("p", "Tickets bought for the replacement bus remain valid on the ferry until the end of the "
          "year. Monthly passes are not affected by the change."),
    ("h2", "Costs"),
    ("p", "The repairs were paid for by the regional budget and a grant from the national "
          "infrastructure fund."),
    ("ul", ["Cost: 2.3 million euros", "Duration: four months", "Contractor: Adria Shipyards"]),
    ("table", [["Item", "Cost"], ["Hull repairs", "1.4 million euros"], ["Engine overhaul", "0.9 million euros"]]),
    ("h2", "Results"),
    ("h3", "Passenger survey"),
    ("p", "A survey of 800 regular passengers found that 71 per cent had switched to the bus during "
          "the repairs, while 12 per cent had stopped travelling across the harbour altogether. "
          "Most respondents said that reliability mattered more to them than speed."),
]

FILLER = [("h2", "Background"),
          ("p", "The harbour has been served by a public ferry since 1921, when the first steam launch "
                "replaced the rowing boats that carried dock workers between the piers. Electrification "
                "of the route has been discussed several times, most recently in a feasibility study "
                "commissioned by the city council. The study estimated that an electric vessel would cut "
                "running costs by a third over twenty years, but it would need a new charging station "
                "at the north pier. No decision on the study has been taken yet.")]


def plain(text: str) -> str:
    """Inline markup removed: what a reader sees."""
    return INLINE.sub(lambda m: m[1] or m[2] or m[3], text)


@dataclass
class Expected:
    sentences: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def expected(blocks: list[tuple]) -> Expected:
    from rag.language.sentences import split_sentences

    out = Expected()
    for kind, content in blocks:
        if kind == "p":
            text = plain(content)
            out.sentences += [text[a:b] for a, b in split_sentences(text)]
        elif kind == "ul":
            out.sentences += list(content)
        elif kind == "table":
            out.rows += content[1:]
    return out


def document_blocks(pages: int = 1) -> list[tuple]:
    """The news item and the seed article; with pages > 1, filler repeated to fill them."""
    blocks = NEWS + _seed_blocks()
    return blocks + FILLER * max(0, (pages - 1) * 2)


# -- writers --------------------------------------------------------------------------------


def markdown(blocks: list[tuple], width: int = 72) -> str:
    out = []
    for kind, content in blocks:
        if kind.startswith("h"):
            out.append("#" * int(kind[1]) + " " + content)
        elif kind == "p":
            out.append(textwrap.fill(content, width, break_long_words=False, break_on_hyphens=False))
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in content))
        elif kind == "table":
            head, *rows = content
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            out.append("\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]))
    return "\n\n".join(out) + "\n"


def _html_inline(text: str) -> str:
    import html

    def tag(m):
        if m[1]:
            return f"<b>{html.escape(m[1])}</b>"
        if m[2]:
            return f"<em>{html.escape(m[2])}</em>"
        return f'<a href="{m[4]}">{html.escape(m[3])}</a>'

    pieces, last = [], 0
    for m in INLINE.finditer(text):
        pieces += [html.escape(text[last:m.start()]), tag(m)]
        last = m.end()
    return "".join(pieces + [html.escape(text[last:])])


def html_page(blocks: list[tuple], width: int = 80) -> str:
    body = []
    for kind, content in blocks:
        if kind.startswith("h"):
            body.append(f"<{kind}>{content}</{kind}>")
        elif kind == "p":
            body.append("<p>" + textwrap.fill(_html_inline(content), width, break_on_hyphens=False) + "</p>")
        elif kind == "ul":
            body.append("<ul>\n" + "\n".join(f"  <li>{item}</li>" for item in content) + "\n</ul>")
        elif kind == "table":
            head, *rows = content
            cells = "".join(f"<th>{c}</th>" for c in head)
            trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n" for r in rows)
            body.append(f"<table>\n<tr>{cells}</tr>\n{trs}</table>")
    title = blocks[0][1]
    return (f"<!doctype html>\n<html><head><title>{title}</title><style>p {{ margin: 0 }}</style></head>\n"
            f"<body><nav><a href='/'>Home</a></nav>\n<article>\n" + "\n".join(body) + "\n</article></body></html>\n")


def docx_bytes(blocks: list[tuple]) -> bytes:
    import docx

    document = docx.Document()
    for kind, content in blocks:
        if kind.startswith("h"):
            document.add_heading(content, level=int(kind[1]))
        elif kind == "p":
            paragraph = document.add_paragraph()
            last = 0
            for m in INLINE.finditer(content):
                paragraph.add_run(content[last:m.start()])
                run = paragraph.add_run(m[1] or m[2] or m[3])
                run.bold, run.italic = bool(m[1]), bool(m[2])
                last = m.end()
            paragraph.add_run(content[last:])
        elif kind == "ul":
            for item in content:
                document.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def pdf_bytes(blocks: list[tuple], header: str = "Harbour Weekly · November 2024", chars: int = 95) -> bytes:
    """Wrapped by layout at `chars` a line, words hyphenated at some line ends, a running header
    and a page number on every page, headings in a larger bold font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(blocks[0][1])
    width, height = A4
    state = {"y": height - 90, "page": 1}

    def frame():
        pdf.setFont("Helvetica", 8)
        pdf.drawString(60, height - 40, header)
        pdf.drawCentredString(width / 2, 30, str(state["page"]))

    def new_page():
        pdf.showPage()
        state["page"] += 1
        state["y"] = height - 90
        frame()

    def line(text, font="Helvetica", size=9.5, gap=12.5):
        if state["y"] < 60:
            new_page()
        pdf.setFont(font, size)
        pdf.drawString(60, state["y"], text)
        state["y"] -= gap

    frame()
    for kind, content in blocks:
        if kind == "break":
            new_page()
        elif kind.startswith("h"):
            state["y"] -= 6
            line(content, "Helvetica-Bold", 16 - 2 * int(kind[1]), 20)
        elif kind == "p":
            for text in hyphenated(plain(content), chars):
                line(text)
            state["y"] -= 7
        elif kind == "ul":
            for item in content:
                line("• " + item)
            state["y"] -= 7
        elif kind == "table":
            for row in content:
                line("    ".join(f"{c:<24}" for c in row))
            state["y"] -= 7
    pdf.save()
    return buf.getvalue()


def hyphenated(text: str, chars: int) -> list[str]:
    """Wrapped lines; a long word that would start a line is split with a hyphen, as typesetters do."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > chars:
            room = chars - len(current) - 2
            if len(word) >= 9 and room >= 4 and word.isalpha():
                lines.append(f"{current} {word[:room]}-")
                current = word[room:]
                continue
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return lines + [current] if current else lines


PAGE_THREE = "The harbour master keeps a spare propeller in the workshop behind the north pier."


def three_pages() -> list[tuple]:
    """The news item on page 1, the seed article from page 2, and PAGE_THREE alone on page 3."""
    return NEWS + [("break", None)] + _seed_blocks() + [("break", None), ("h2", "Notes"), ("p", PAGE_THREE)]


WRITERS = {
    ".pdf": lambda blocks: pdf_bytes(blocks),
    ".md": lambda blocks: markdown(blocks).encode(),
    ".html": lambda blocks: html_page(blocks).encode(),
    ".docx": docx_bytes,
}


# -- measuring ------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def integrity(doc_text: str, truth: Expected) -> float:
    """Share of the expected sentences (and table rows) that come out as one whole sentence."""
    from rag.language.sentences import split_sentences

    got = [_norm(doc_text[a:b]) for a, b in split_sentences(doc_text)]
    exact = set(got)
    whole = sum(_norm(s) in exact for s in truth.sentences)
    whole += sum(any(_row_in(row, g) for g in got) for row in truth.rows)
    return whole / (len(truth.sentences) + len(truth.rows))


def _row_in(row: list[str], sentence: str) -> bool:
    at = 0
    for cell in row:
        at = sentence.find(cell, at)
        if at < 0:
            return False
        at += len(cell)
    return True


def measure(pages: int = 4) -> dict[str, float]:
    """Integrity per format through the service's own loader."""
    from rag.ingest.readers import parse_document

    blocks = document_blocks(pages)
    truth = expected(blocks)
    return {ext: round(integrity(parse_document(f"doc{ext}", write(blocks)).text, truth), 3)
            for ext, write in WRITERS.items()}


if __name__ == "__main__":
    print(measure())
