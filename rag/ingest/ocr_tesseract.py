"""Tesseract 5, run as its own program on one page image: its TSV of words (block, paragraph,
line, box, confidence) grouped into lines in its reading order."""
from __future__ import annotations

import csv
import io
import os
import statistics
import subprocess

from rag.ingest.ocr import OcrLine

MIN_CONFIDENCE = 0  # Tesseract gives -1 to layout rows; a low-confidence word is usually still the word
TIMEOUT = 300  # seconds for one page


class TesseractOCR:
    name = "tesseract"

    def __init__(self, settings):
        self.language = settings.language
        self.threads = settings.threads

    def read(self, image, dpi: int) -> list[OcrLine]:
        png = io.BytesIO()
        image.save(png, "PNG", compress_level=1)  # a page compressed hard costs more than it saves
        # The thread limit goes to Tesseract's environment alone: set in ours, every OpenMP library
        # of this process (and of what it starts) would inherit it.
        env = {**os.environ, "OMP_THREAD_LIMIT": str(self.threads)}
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", self.language, "--psm", "3", "--dpi", str(dpi),
                               "tsv"], input=png.getvalue(), capture_output=True, env=env, timeout=TIMEOUT)
        if done.returncode != 0:
            from rag.ingest.layout import Unreadable

            raise Unreadable(f"OCR failed: {done.stderr.decode(errors='replace').strip()[:200]}")
        return _lines(done.stdout.decode("utf-8", errors="replace"), image.height or 1, dpi)


def _lines(tsv: str, height: int, dpi: int) -> list[OcrLine]:
    words: dict[tuple, list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if text and float(row["conf"]) >= MIN_CONFIDENCE:
            words.setdefault((int(row["block_num"]), int(row["par_num"]), int(row["line_num"])), []).append(row)
    return [OcrLine(text=" ".join(w["text"].strip() for w in line), block=block, paragraph=paragraph,
                    top=int(line[0]["top"]) / height,
                    size=round(statistics.median(int(w["height"]) for w in line) * 72 / dpi, 1))
            for (block, paragraph, _), line in words.items()]  # Tesseract's reading order: a column, then the next
