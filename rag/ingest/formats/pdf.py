"""PDF by layout (pdfminer.six): lines wrapped by the page are joined into their paragraphs,
hyphens at line ends resolved, running headers, footers and page numbers left out, headings
found by their font, and every page's start kept as an offset. A page without a text layer (a
scan) is read by OCR (rag/ingest/ocr.py) into the same lines."""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from rag.ingest import ocr
from rag.ingest.layout import SENTENCE_END as END, Layout, Parsed, keywords, looks_like_heading
from rag.ingest.layout import Unreadable

HEADING = 1.18  # an OCR line this much taller than the body's is a heading (see ocr_lines)
MARGIN = 0.1  # top and bottom share of a page where running headers and footers sit
BULLET = re.compile(r"^(?:[•◦▪‣●○■□·*–-]|\(cid:\d+\))\s+")
NUMBERED = re.compile(r"^(?:\d{1,3}|[a-z])[.)]\s+\S")
PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–(]?\s*#\s*[-–)]?(?:\s*(?:of|/)\s*#)?$", re.I)


@dataclass
class Line:
    text: str
    page: int
    box: int
    top: float     # share of the page height from the top
    size: float
    bold: bool
    row: bool = False  # cells set apart by wide gaps: a table row
    level: int | None = None
    item: bool = False


def read(data: bytes) -> Parsed:
    pages, title, tags = _extract(data)
    scanned = [n for n, page in enumerate(pages, start=1) if sum(len(x.text) for x in page) < ocr.settings().min_chars]
    by_ocr = _read_scans(data, pages, scanned) if scanned else {}
    pages = [by_ocr.get(n, page) for n, page in enumerate(pages, start=1)]
    parsed = from_lines(pages, title)
    parsed.ocr_pages = [n for n, lines in by_ocr.items() if lines]
    parsed.tags = tags
    return parsed


def from_lines(pages: list[list[Line]], title: str | None = None) -> Parsed:
    """The text of pages of lines (from the text layer or from OCR)."""
    lines = [line for page in pages for line in page]
    furniture = _furniture(pages)
    body = [line for line in lines if id(line) not in furniture]
    _classify(body)
    words = Counter(w.lower() for line in body for w in re.findall(r"[\w-]+", line.text))
    return _build(body, len(pages), words).finish(title)


def _read_scans(data: bytes, pages: list[list[Line]], scanned: list[int]) -> dict[int, list[Line]]:
    """The scanned pages' lines by OCR, by page number. Without an engine a PDF of scans alone is
    unreadable, with the fix; a PDF with some text keeps what its text layer holds."""
    reader = ocr.engine()
    if reader is None:
        if len(scanned) == len(pages):
            raise Unreadable(ocr.INSTALL)
        return {}
    images = ocr.pdf_pages(data, scanned, ocr.settings().dpi)
    read = ocr.read_pages(reader, images, ocr.content_key(data), len(scanned))
    return dict(zip(scanned, ocr_lines(read, scanned)))


def ocr_lines(read: list[list["ocr.OcrLine"]], numbers: list[int]) -> list[list[Line]]:
    """OCR lines as layout lines. A word box's height wobbles with its letters ("backyard." stands
    taller than "on"), so heading sizes cannot be ranked as a font's can: a short line that opens
    with a capital, ends without a full stop and stands HEADING times the body's height is one
    heading size, everything else the body's (sections come out flat, not nested wrong)."""
    sizes = sorted(line.size for lines in read for line in lines)
    body = sizes[len(sizes) // 2] if sizes else 0.0

    def size(line) -> float:
        text = line.text.strip()
        heading = (line.size >= body * HEADING and len(text.split()) <= 10 and text[:1].isupper()
                   and not END.search(text))
        return body * 1.5 if heading else body

    return [_paragraphs([Line(line.text, number, line.block * 1000 + line.paragraph, line.top, size(line), bold=False)
                         for line in lines]) for number, lines in zip(numbers, read)]


def _paragraphs(lines: list[Line]) -> list[Line]:
    """Tesseract starts a paragraph (box) inside a sentence now and then ("Rio de" / "Janeiro on
    Monday"): a line after one that ends mid-sentence stays in its box."""
    for previous, line in zip(lines, lines[1:]):
        if (line.box // 1000 == previous.box // 1000 and line.size == previous.size
                and not END.search(previous.text)):
            line.box = previous.box
    return lines


def _extract(data: bytes) -> tuple[list[list[Line]], str | None]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTTextBox
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        resources = PDFResourceManager()
        device = PDFPageAggregator(resources, laparams=LAParams())
        interpreter = PDFPageInterpreter(resources, device)
        pages = []
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            interpreter.process_page(page)
            layout = device.get_result()
            boxes = [o for o in layout if isinstance(o, LTTextBox)]
            pages.append([_line(line, number, b, layout.height) for b, box in enumerate(boxes) for line in box])
        return pages, _info(document, "Title"), keywords(_info(document, "Keywords"))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise Unreadable("encrypted PDF (password protected)") from None
    except Unreadable:
        raise
    except Exception as exc:  # pdfminer raises many types for broken files
        raise Unreadable(f"corrupt PDF ({type(exc).__name__})") from None


def _line(line, page: int, box: int, height: float) -> Line:
    from pdfminer.layout import LTChar

    chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
    size = max((c.size for c in chars), default=0.0)
    bold = bool(chars) and all("bold" in c.fontname.lower() or "black" in c.fontname.lower() for c in chars)
    top = 1 - line.y1 / height if height else 0.0
    cells = [" ".join(c.split()) for c in re.split(r"\s{3,}", line.get_text().strip())]
    return Line(" | ".join(cells), page, box, top, round(size, 1), bold, row=len(cells) > 1)


def _info(document, key: str) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    for info in document.info:
        value = resolve1(info.get(key))
        if isinstance(value, bytes):
            value = decode_text(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _furniture(pages: list[list[Line]]) -> set[int]:
    """Lines in the top or bottom margin that repeat across pages (digits aside), and page numbers."""
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    edge = [line for page in pages for line in page if line.top < MARGIN or line.top > 1 - MARGIN]
    seen = Counter(key(line) for line in {(line.page, key(line)): line for line in edge}.values())
    repeated = {k for k, n in seen.items() if len(pages) > 1 and n >= max(2, 0.4 * len(pages))}
    return {id(line) for line in edge if key(line) in repeated or PAGE_NUMBER.match(key(line))}


def _classify(lines: list[Line]) -> None:
    """Headings by a font larger than the body's (levels by size) or a short bold line; list items."""
    sizes = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    if not sizes:
        return
    body = sizes.most_common(1)[0][0]
    larger = sorted({line.size for line in lines if line.size > body * 1.12}, reverse=True)
    for line in lines:
        short = len(line.text.split()) < 15 and not END.search(line.text)
        if line.size in larger and len(line.text.split()) < 25:
            line.level = larger.index(line.size) + 1
        elif line.bold and short:
            line.level = len(larger) + 1
        line.item = bool(line.row or BULLET.match(line.text) or NUMBERED.match(line.text))
        if BULLET.match(line.text):
            line.text = BULLET.sub("", line.text)


def _build(lines: list[Line], page_count: int, words: Counter) -> Layout:
    layout = Layout()
    page, open_block, block = 0, None, []

    def emit():
        nonlocal open_block
        if not block:
            return
        text = _join([line.text for line in block], words)
        first = block[0]
        continues = (open_block is not None and first.level is None and not first.item
                     and open_block.level is None and (text[:1].islower() or open_block.text.endswith("-")))
        if continues:
            layout.extend(text)
        else:
            label = first.level is None and not first.item and len(block) == 1 and looks_like_heading(text)
            layout.block(text, first.level, label=label)
        open_block = block[-1] if not END.search(text) and first.level is None else None
        block.clear()

    for line in lines:
        while page < line.page:
            emit()
            page += 1
            layout.page()
        if block and _breaks(block[-1], line):
            emit()
        block.append(line)
    emit()
    for _ in range(page, page_count):
        layout.page()
    return layout


def _breaks(previous: Line, line: Line) -> bool:
    """A new block starts at a new text box, a list item, or a change between heading and body."""
    return (line.box != previous.box or line.page != previous.page or line.item
            or line.level != previous.level)


def _join(texts: list[str], words: Counter) -> str:
    """Lines of one paragraph joined. A hyphen at a line end between two plain lower-case word
    pieces is kept only where the document writes that word with a hyphen elsewhere; next to a
    piece with digits or capitals ("T5-" then "11B", "GPT-" then "neo") it is always kept."""
    out = texts[0]
    for text in texts[1:]:
        head = re.search(r"(\w+)-$", out)
        tail = re.match(r"(\w+)", text)
        if head and tail and not (_plain(head[1]) and _plain(tail[1])):
            out += text  # a name or model number: the hyphen is part of it
        elif head and tail and text[:1].islower():
            whole, hyphened = (head[1] + tail[1]).lower(), f"{head[1]}-{tail[1]}".lower()
            if words[hyphened] > words[whole]:
                out += text
            else:
                out = out[:-1] + text
        else:
            out += " " + text
    return out


def _plain(piece: str) -> bool:
    """A word piece of lower-case letters only (a line may start a sentence: its first letter may be a capital)."""
    return piece.isalpha() and piece[1:].islower() if len(piece) > 1 else piece.isalpha()
