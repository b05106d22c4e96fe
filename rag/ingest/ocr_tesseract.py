"""Tesseract 5 through pytesseract: words with their block, line and box, grouped into lines."""
from __future__ import annotations

import statistics

from rag.ingest.ocr import OcrLine

MIN_CONFIDENCE = 0  # Tesseract gives -1 to layout rows; a low-confidence word is usually still the word


class TesseractOCR:
    name = "tesseract"

    def __init__(self, settings):
        self.language = settings.language
        self.threads = settings.threads

    def read(self, image, dpi: int) -> list[OcrLine]:
        import os

        import pytesseract

        os.environ.setdefault("OMP_THREAD_LIMIT", str(self.threads))  # Tesseract's own threads per page
        data = pytesseract.image_to_data(image, lang=self.language, config="--psm 3",
                                         output_type=pytesseract.Output.DICT)
        lines: dict[tuple, list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= MIN_CONFIDENCE:
                lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
        height = image.height or 1
        out = []
        for (block, par, _), words in lines.items():  # Tesseract's reading order: a column before the next
            out.append(OcrLine(text=" ".join(data["text"][i] for i in words), block=block, paragraph=par,
                               top=data["top"][words[0]] / height,
                               size=round(statistics.median(data["height"][i] for i in words) * 72 / dpi, 1)))
        return out
