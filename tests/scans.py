"""A scanned corpus made here: the integrity corpus written as a PDF, each page rendered to a
grey image at a given dpi with a slight rotation, blur and noise, and saved back as a PDF of
images (no text layer). `python -m tests.scans` prints character error rate, sentence integrity
and seconds per page at 150, 200 and 300 dpi (README figures come from it)."""
from __future__ import annotations

import io
import os
import tempfile
import time

from tests import corpus

QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def scanned_pdf(pdf: bytes, dpi: int = 200, rotate: float = 0.6, blur: float = 0.6, noise: float = 12,
                seed: int = 0) -> bytes:
    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for page in document:
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        image = image.rotate(rotate, fillcolor=255).filter(ImageFilter.GaussianBlur(blur))
        speckled = np.asarray(image, dtype=np.int16) + rng.normal(0, noise, (image.height, image.width))
        pages.append(Image.fromarray(np.clip(speckled, 0, 255).astype(np.uint8)))
    document.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def scanned_png(pdf: bytes, dpi: int = 200) -> bytes:
    """The first page of a scan as a PNG that records its dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument(scanned_pdf(pdf, dpi))
    out = io.BytesIO()
    document[0].render(scale=dpi / 72).to_pil().convert("L").save(out, "PNG", dpi=(dpi, dpi))
    document.close()
    return out.getvalue()


def _comparable(text: str) -> str:
    return " ".join(text.replace(" | ", " ").translate(QUOTES).split())


def cer(truth: str, read: str) -> float:
    """Edit distance over the truth's length, spacing, table bars and quote shapes aside."""
    from rapidfuzz.distance import Levenshtein

    a, b = _comparable(truth), _comparable(read)
    return Levenshtein.distance(a, b) / max(1, len(a))


def measure(dpis=(150, 200, 300), pages: int = 2, engine: str = "auto", workers: int = 0) -> dict:
    from rag.config import OcrSettings
    from rag.ingest import ocr
    from rag.ingest.readers import parse_document

    blocks = corpus.document_blocks(pages)
    pdf = corpus.pdf_bytes(blocks)
    truth_text = parse_document("doc.pdf", pdf).text
    truth = corpus.expected(blocks)
    truth.sentences = [s.translate(QUOTES) for s in truth.sentences]
    report = {}
    for dpi in dpis:
        ocr.use(OcrSettings(dpi=dpi, engine=engine, workers=workers))
        scan = scanned_pdf(pdf, dpi)
        with tempfile.TemporaryDirectory() as cache:  # every page read, none from the cache
            os.environ["RAG_CACHE_DIR"], before = cache, os.environ.get("RAG_CACHE_DIR")
            started = time.perf_counter()
            doc = parse_document("scan.pdf", scan)
            seconds = time.perf_counter() - started
            _restore("RAG_CACHE_DIR", before)
        count = len(doc.pages) or 1
        report[dpi] = {"pages": count, "cer": round(cer(truth_text, doc.text), 4),
                       "integrity": round(corpus.integrity(doc.text.translate(QUOTES), truth), 3),
                       "s_per_page": round(seconds / count, 2)}
    ocr.use(OcrSettings())
    return report


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


if __name__ == "__main__":
    import sys

    print(measure(engine=sys.argv[1] if len(sys.argv) > 1 else "auto"))
