"""OCR's share of `rag bench`: pages typeset here from the bench corpus's own text (Pillow's
bundled font, 200 dpi A4, a slight rotation and noise), saved as a PDF of images, and read through
the PDF reader as a user's scan would be: seconds per page on one worker and on every core, and
how much of the text came back word for word."""
from __future__ import annotations

import difflib
import io
import os
import tempfile
import textwrap
import time

from rag.config import OcrSettings
from rag.ingest import ocr
from rag.ingest.readers import parse_document

DPI = 200
LINES = 48  # a page of body text at 11 pt


def ocr_bench(texts: list[str], pages: int, settings: OcrSettings) -> dict:
    words = " ".join(texts).split()
    page_words = [words[i * 480:(i + 1) * 480] for i in range(pages)]
    scan = scanned_pdf([" ".join(w) for w in page_words])
    truth = " ".join(" ".join(w) for w in page_words).split()
    report = {"ocr_engine": getattr(ocr.engine(), "name", None) if ocr.settings().engine != "off" else None,
              "ocr_pages": pages}
    for label, workers in (("one_worker", 1), ("all_cores", 0)):
        ocr.use(settings.model_copy(update={"workers": workers}))
        try:
            seconds, text = _timed_read(scan)
        finally:
            ocr.use(settings)
        report[f"ocr_s_per_page_{label}"] = round(seconds / pages, 2)
    report["ocr_word_match"] = round(difflib.SequenceMatcher(None, truth, text.split(), autojunk=False).ratio(), 3)
    return report


def _timed_read(scan: bytes) -> tuple[float, str]:
    """Every page read afresh: the OCR cache pointed at an empty folder for the run."""
    before = os.environ.get("RAG_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="rag-ocr-bench-") as cache:
        os.environ["RAG_CACHE_DIR"] = cache
        try:
            started = time.perf_counter()
            text = parse_document("scan.pdf", scan).text
            return time.perf_counter() - started, text
        finally:
            if before is None:
                os.environ.pop("RAG_CACHE_DIR", None)
            else:
                os.environ["RAG_CACHE_DIR"] = before


def scanned_pdf(page_texts: list[str]) -> bytes:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.load_default(size=round(11 * DPI / 72))
    rng = np.random.default_rng(0)
    images = []
    for text in page_texts:
        page = Image.new("L", (round(8.27 * DPI), round(11.69 * DPI)), 255)
        draw = ImageDraw.Draw(page)
        for n, line in enumerate(textwrap.wrap(text, 80)[:LINES]):
            draw.text((DPI, DPI + n * round(0.36 * DPI / 2)), line, font=font, fill=0)
        page = page.rotate(0.5, fillcolor=255).filter(ImageFilter.GaussianBlur(0.5))
        noisy = np.asarray(page, dtype=np.int16) + rng.normal(0, 10, (page.height, page.width))
        images.append(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)))
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return out.getvalue()
