"""Reading pages that are pictures: a PDF page without a text layer, or a PNG, JPEG or TIFF file.

An engine turns one page image into lines (text, where it sits, how tall it is); the PDF layout
then treats them like a text layer's lines (wrapped lines joined, hyphens resolved, running headers
and page numbers left out). Engines sit in OCR_ENGINES (`ocr.engine`; `auto` takes Tesseract when
its program is installed). A page's lines are cached by the file's content hash, so a re-index
never reads an unchanged scan twice."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from dataclasses import asdict, dataclass
from typing import Protocol

from rag.config import OcrSettings, cache_root
from rag.registry import Registry

INSTALL = ("pages that are images need OCR: install Tesseract (Debian/Ubuntu: apt-get install tesseract-ocr "
           "tesseract-ocr-eng; `make run` does it when run as root)")


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


OCR_ENGINES = Registry("ocr.engine", {"tesseract": "rag.ingest.ocr_tesseract:TesseractOCR"})

_settings = OcrSettings()


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
        name = "tesseract" if shutil.which("tesseract") else None
        if name is None:
            return None
    return OCR_ENGINES.load(name)(_settings)


def read_pages(reader: OcrEngine, images, key: str) -> list[list[OcrLine]]:
    """Each (page number, PIL image, dpi) read by `reader`, through the cache; key names the file."""
    return [_cached(reader, image, f"{key}-{number}", dpi) for number, image, dpi in images]


def _dpi(image) -> int:
    given = image.info.get("dpi")
    return int(round(given[0])) if given and given[0] and given[0] > 1 else 300


def image_pages(data: bytes):
    """The frames of an image file (a TIFF may hold several), as (page number, image, the dpi it
    records, else 300)."""
    from PIL import Image, ImageSequence

    picture = Image.open(io.BytesIO(data))
    return [(n, frame.convert("RGB"), _dpi(frame)) for n, frame in enumerate(ImageSequence.Iterator(picture), start=1)]


def pdf_pages(data: bytes, numbers: list[int], dpi: int):
    """The given pages of a PDF rendered (pypdfium2) one at a time (a 300-dpi A4 page is 26 MB), as
    (page number, image, dpi): at the resolution of the page's largest picture, so a scan is read
    pixel for pixel, or at `dpi` when it has none."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        for n in numbers:
            page = document[n - 1]
            at = _picture_dpi(page) or dpi
            yield n, page.render(scale=at / 72).to_pil().convert("RGB"), at
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


def _cached(reader: OcrEngine, image, key: str, dpi: int) -> list[OcrLine]:
    path = cache_root() / "ocr" / f"{key}-{reader.name}-{dpi}.json"
    if path.exists():
        try:
            return [OcrLine(**line) for line in json.loads(path.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass  # a cache file cut short: read the page again
    lines = reader.read(image, dpi)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps([asdict(line) for line in lines]), encoding="utf-8")
    os.replace(partial, path)
    return lines
