"""Scanned pages: a PDF of page images and a PNG read by Tesseract (its library by default, its
program when asked) into whole sentences with their pages, cited with `ocr: true`; without an
engine they are skipped with the fix; pages are read side by side, with progress, and cached."""
import os
import re
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


def _need_tesseract_program():
    if shutil.which("tesseract"):
        return
    if os.environ.get("CI"):
        pytest.fail("The Tesseract program is missing in CI: .ci/run must install it (apt-get install tesseract-ocr)")
    pytest.skip("the Tesseract program is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)")


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
    with pytest.raises(Unreadable, match="pip install tesserocr"):
        parse_document("scan.pdf", scan)
    with pytest.raises(Unreadable, match="pip install tesserocr"):
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
    assert ocr.engine().name == "tesserocr"  # the default: a dependency, nothing to install by hand
    scan = scans.scanned_pdf(corpus.pdf_bytes(PAGE_TWO), dpi=200)
    doc = parse_document("scan.pdf", scan)
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


@pytest.mark.slow
def test_the_tesseract_program_reads_the_same_sentences(cache):
    _need_tesseract_program()
    scan = scans.scanned_pdf(corpus.pdf_bytes(PAGE_TWO), dpi=200)
    ocr.use(OcrSettings(engine="tesseract"))
    try:
        before = dict(os.environ)
        doc = parse_document("scan.pdf", scan)
        assert dict(os.environ) == before  # its thread limit must not reach this process's libraries
    finally:
        ocr.use(OcrSettings())
    assert doc.ocr_pages == [1, 2] and corpus.PAGE_THREE in doc.text[doc.pages[1]:]
    assert {p.name.rsplit("-", 2)[1] for p in cache.iterdir()} == {"tesseract"}


def test_a_language_without_a_model_is_skipped_with_the_fix(cache):
    ocr.use(OcrSettings(engine="tesserocr", language="kli"))
    try:
        with pytest.raises(Unreadable, match="no OCR model for language 'kli'"):
            parse_document("scan.png", scans.scanned_png(corpus.pdf_bytes(corpus.NEWS), dpi=100))
    finally:
        ocr.use(OcrSettings())


class Refusing:
    name = "tesserocr"

    def __init__(self, settings):
        pass

    def read(self, image, dpi):
        raise AssertionError("the cache should have answered")


@pytest.mark.slow
def test_scanned_pdf_and_png_answer_with_the_page_and_an_ocr_mark(tmp_path, real_embedder, cache):
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


class Slow:
    """Reads a frame as one line naming its width, taking a while, counting how many read at once."""
    name = "slow"
    running = peak = 0
    lock = None

    def __init__(self, settings):
        import threading

        Slow.lock = Slow.lock or threading.Lock()

    def read(self, image, dpi):
        import time

        with Slow.lock:
            Slow.running += 1
            Slow.peak = max(Slow.peak, Slow.running)
        time.sleep(0.3)
        with Slow.lock:
            Slow.running -= 1
        return [ocr.OcrLine(f"This frame is {image.width} pixels wide.", 1, 1, 0.5, 10.0)]


class RefusingSlow(Refusing):
    name = Slow.name


def _tiff(widths) -> bytes:
    import io

    from PIL import Image

    frames = [Image.new("RGB", (w, 40), "white") for w in widths]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    return out.getvalue()


def test_pages_are_read_side_by_side_in_order_with_progress_and_each_once(cache, tmp_path, fake_embedder):
    widths = [101, 102, 103, 104, 105]
    ocr.use(OcrSettings(engine="tests.ingest.test_ocr:Slow", workers=2))
    try:
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        (seeds / "frames.tiff").write_bytes(_tiff(widths))
        seen = []
        service = build_service(make_settings(seeds, tmp_path / "index", ocr__engine="tests.ingest.test_ocr:Slow",
                                              ocr__workers=2), fake_embedder)
        service.index.run(progress=lambda phase, done, total: seen.append((phase, done, total)))
        text = service.index.document("frames.tiff")["text"]
        assert [int(w) for w in re.findall(r"is (\d+) pixels", text)] == widths  # the pages' order, kept
        assert Slow.peak == 2
        assert [(d, t) for p, d, t in seen if p == "ocr"] == [(n, 5) for n in range(1, 6)]
        ocr.use(OcrSettings(engine="tests.ingest.test_ocr:RefusingSlow", workers=2))
        assert parse_document("frames.tiff", _tiff(widths)).text == text  # all five from the cache
    finally:
        ocr.use(OcrSettings())
