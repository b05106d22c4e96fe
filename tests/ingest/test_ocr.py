"""Scanned pages: a PDF of page images and a PNG read by Tesseract into whole sentences with their
pages, cited with `ocr: true`; without an engine they are skipped with the fix; reads are cached."""
import os
import shutil

import pytest

from rag.config import OcrSettings
from rag.ingest import ocr
from rag.ingest.layout import Unreadable
from rag.ingest.readers import parse_document
from rag.service import build_service
from tests import corpus, scans
from tests.conftest import make_settings

PAGE_TWO = corpus.NEWS + [("break", None), ("h2", "Notes"), ("p", corpus.PAGE_THREE)]
BIKES = "On Sundays the night ferry carries bicycles free of charge between the two piers."


def _need_tesseract():
    if shutil.which("tesseract"):
        return
    if os.environ.get("CI"):
        pytest.fail("Tesseract is missing in CI: `make install` installs it when run as root")
    pytest.skip("Tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-eng)")


@pytest.fixture
def no_ocr():
    ocr.use(OcrSettings(engine="off"))
    yield
    ocr.use(OcrSettings())


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "ocr"


def test_without_an_engine_a_scan_is_skipped_with_the_fix(no_ocr):
    scan = scans.scanned_pdf(corpus.pdf_bytes(corpus.NEWS), dpi=100)
    with pytest.raises(Unreadable, match="apt-get install tesseract-ocr"):
        parse_document("scan.pdf", scan)
    with pytest.raises(Unreadable, match="apt-get install tesseract-ocr"):
        parse_document("scan.png", scans.scanned_png(corpus.pdf_bytes(corpus.NEWS), dpi=100))


def test_a_broken_image_is_skipped_with_a_reason():
    with pytest.raises(Unreadable, match="corrupt image"):
        parse_document("photo.jpg", b"\xff\xd8")


def test_without_an_engine_a_page_with_little_text_keeps_it_and_is_not_marked_ocr(no_ocr):
    parsed = parse_document("mixed.pdf", corpus.pdf_bytes(corpus.NEWS + [("break", None), ("h2", "Notes")], header=""))
    assert parsed.ocr_pages == [] and len(parsed.pages) == 2 and "Notes" in parsed.text


def test_a_text_pdf_is_not_read_by_ocr(no_ocr):
    parsed = parse_document("text.pdf", corpus.pdf_bytes(PAGE_TWO))
    assert parsed.ocr_pages == [] and "spare propeller" in parsed.text


@pytest.mark.slow
def test_a_scanned_pdf_reads_as_whole_sentences_with_pages_and_is_cached(cache):
    _need_tesseract()
    scan = scans.scanned_pdf(corpus.pdf_bytes(PAGE_TWO), dpi=200)
    before = dict(os.environ)
    doc = parse_document("scan.pdf", scan)
    assert dict(os.environ) == before  # Tesseract's thread limit must not reach this process's libraries
    assert doc.ocr_pages == [1, 2] and len(doc.pages) == 2
    page_two = doc.text[doc.pages[1]:]
    assert corpus.PAGE_THREE in page_two  # the sentence on page 2, whole, its line breaks joined
    assert "Harbour Weekly" not in doc.text  # the running header is furniture, as in a text PDF
    assert [path for _, path in doc.sections] == [  # flat: OCR heights tell a heading, not its level
        "Harbour ferry returns after repairs", "Ferry service", "Costs", "Results", "Passenger survey", "Notes"]
    assert scans.cer(parse_document("text.pdf", corpus.pdf_bytes(PAGE_TWO)).text, doc.text) <= 0.02
    assert len(list(cache.iterdir())) == 2  # one read per page, kept by the file's content
    ocr.use(OcrSettings(engine="tests.ingest.test_ocr:Refusing"))  # a second read must not run the engine
    try:
        assert parse_document("scan.pdf", scan).text == doc.text
    finally:
        ocr.use(OcrSettings())


class Refusing:
    name = "tesseract"

    def __init__(self, settings):
        pass

    def read(self, image, dpi):
        raise AssertionError("the cache should have answered")


@pytest.mark.slow
def test_scanned_pdf_and_png_answer_with_the_page_and_an_ocr_mark(tmp_path, real_embedder, cache):
    _need_tesseract()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "scan.pdf").write_bytes(scans.scanned_pdf(corpus.pdf_bytes(PAGE_TWO), dpi=200))
    (seeds / "notice.png").write_bytes(scans.scanned_png(corpus.pdf_bytes([("h2", "Bicycles"), ("p", BIKES)]), dpi=200))
    service = build_service(make_settings(seeds, tmp_path / "index"), real_embedder)
    summary = service.index.run()
    assert summary.added == 2 and summary.skipped == []
    answer = service.answers.ask("Where does the harbour master keep a spare propeller?")
    cited = [c for c in answer.citations if c.source == "scan.pdf"]
    assert cited and cited[0].quote == corpus.PAGE_THREE and cited[0].page == 2 and cited[0].ocr
    answer = service.answers.ask("When does the night ferry carry bicycles for free?")
    cited = [c for c in answer.citations if c.source == "notice.png"]
    assert cited and cited[0].quote == BIKES and cited[0].page == 1 and cited[0].ocr
