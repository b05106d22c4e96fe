"""The real UI in headless Chromium against `rag serve` started as a user would start it."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import corpus, scans
from tests.conftest import ROOT, SEED_FILE
from tests.test_reliability import serve, wait_healthy
from tests.web_stub import WebStub

pytestmark = pytest.mark.slow
LENSES = "The lighthouse keeper stores the spare lantern lenses in the cellar of the old boathouse."
FERRY_PAGE = ("<html><head><title>Lindholm ferry</title></head><body><nav>Home | Sign up for our newsletter</nav>"
              "<article><h1>The night ferry returns</h1><p>The harbour board said that the night ferry to Lindholm "
              "will run again from March, after two years without a service.</p></article></body></html>")
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def _need_chromium():
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing in CI: .ci/run must install it (apt-get install chromium)")
    pytest.skip("headless Chromium not installed (apt-get install chromium)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    (root / "seeds").mkdir()
    shutil.copy(SEED_FILE, root / "seeds")
    long_pdf = corpus.NEWS + corpus.FILLER * 4 + [("break", None), ("h2", "Notes"), ("p", corpus.PAGE_THREE)]
    (root / "seeds" / "harbour.pdf").write_bytes(corpus.pdf_bytes(long_pdf))
    port = free_port()
    config = root / "config.yaml"  # the project's, with pages fetched from this machine's own test server
    config.write_text((ROOT / "config.yaml").read_text().replace("allow_private: false", "allow_private: true")
                      .replace("workers: 0   ", "workers: 1   "))  # OCR on one core: the browser keeps the other
    proc = serve(root, "--config", str(config), port=port, env={"RAG_CACHE_DIR": str(root / "cache")})
    wait_healthy(port, proc)
    url = f"http://127.0.0.1:{port}"
    yield url, root
    proc.terminate()
    proc.wait(20)


@pytest.fixture
def page(served):
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 950})
        page.goto(served[0] + "/")
        page.wait_for_selector("#question textarea", timeout=90_000)
        yield page
        browser.close()


def ask(page, question):
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")


def test_question_shows_answer_with_clickable_citations(page):
    ask(page, "What did Xi tell Biden?")
    page.wait_for_selector("#sources .source-card mark", timeout=90_000)
    answer = page.locator("#chat .message").last.inner_text()
    assert "core interests" in answer and "conflict and turmoil" in answer
    cards = page.locator("#sources .source-card")
    assert cards.count() >= 2
    marks = " ".join(page.locator("#sources mark").all_inner_texts())
    assert "core interests" in marks and "Chinese, Russian FMs discuss Korea tensions" in cards.first.inner_text()
    page.locator("#chat a.cite").first.click()
    assert page.evaluate("location.hash") == "#source-1-1"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)


def test_follow_up_and_refusal_in_the_ui(page):
    ask(page, "What did Xi tell Biden?")
    page.wait_for_selector("#chat .message", timeout=90_000)
    ask(page, "Where did they meet?")  # typed while the first answer is on its way: kept, and run next with that turn
    page.wait_for_function("document.querySelector('#query') && document.querySelector('#query').innerText.includes('(Xi Biden)')",
                           timeout=90_000)
    assert "Peru" in page.locator("#sources").inner_text()
    ask(page, "What is the population of Brazil?")
    page.wait_for_selector("#sources .sources.empty", timeout=90_000)
    assert "do not contain" in page.locator("#chat .message").last.inner_text()


def test_upload_shows_progress_then_the_row_and_answers_from_it(page, served, tmp_path):
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_function(f"(document.querySelector('#documents') || {{innerText: ''}}).innerText.includes('{SEED_FILE.name}')",
                           timeout=30_000)  # filled when the page loads, for what its key may read
    assert re.search(r"Index built \S+ \S+ UTC from 2 documents", page.locator("#index-info").inner_text())
    new = tmp_path / "kettle.md"
    filler = "\n".join(f"Kettle model {i} holds {1 + i % 9} litres and weighs {300 + i} grams." for i in range(2700))
    new.write_text(f"# Kettles\n\nA gooseneck kettle pours water slowly and precisely.\n\n{filler}\n")
    started = time.monotonic()
    page.set_input_files("#upload input[type=file]", str(new))
    seen, first_at = [], None
    while time.monotonic() - started < 180 and "kettle.md" not in page.locator("#documents").inner_text():
        texts = page.locator(".progress-level-inner").all_inner_texts()
        for text in texts:
            if text and (not seen or seen[-1] != text):
                seen.append(text)
                first_at = first_at or time.monotonic() - started
        time.sleep(0.1)
    counts = [int(m[1]) for t in seen if (m := re.search(r"Embedding (\d+)/", t))]
    assert len(set(counts)) >= 2 and counts == sorted(counts), seen
    print(f"first progress after {first_at:.2f} s; seen: {seen}")
    page.wait_for_function("document.querySelector('#index-status').innerText.includes('1 added')", timeout=90_000)
    assert "kettle.md" in page.locator("#documents").inner_text()
    assert "from 3 documents" in page.locator("#index-info").inner_text()
    assert (served[1] / "seeds" / "kettle.md").exists()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "Which kettle pours water slowly and precisely?")
    page.wait_for_function("document.querySelector('#sources') && "
                           "document.querySelector('#sources').innerText.includes('kettle.md')", timeout=90_000)


def test_a_pasted_url_is_fetched_indexed_and_cited_with_a_link_back(page, served):
    web = WebStub()
    try:
        url = web.page("/news/ferry.html", FERRY_PAGE)
        page.get_by_role("tab", name="Documents").click()
        page.fill("#add-url textarea", url)
        page.locator("#fetch-url").click()
        page.wait_for_function("document.querySelector('#index-status').innerText.includes('1 added')", timeout=90_000)
        assert "127.0.0.1-ferry.html" in page.locator("#documents").inner_text()
        assert page.locator("#add-url textarea").input_value() == ""
        page.get_by_role("tab", name="Chat").click()
        ask(page, "When will the night ferry to Lindholm run again?")
        page.wait_for_selector("#sources .source-card a.origin", timeout=90_000)
        card = page.locator("#sources .source-card").first
        assert "night ferry to Lindholm will run again from March" in card.inner_text()
        assert card.locator("a.origin").get_attribute("href") == url
    finally:
        web.close()


def test_an_uploaded_scan_shows_ocr_progress_page_by_page_then_answers_read_by_ocr(page, served, tmp_path):
    scan = tmp_path / "scanned-notice.pdf"
    blocks = corpus.NEWS + corpus.FILLER * 3 + [("break", None), ("h2", "Lighthouse"), ("p", LENSES)]
    scan.write_bytes(scans.scanned_pdf(corpus.pdf_bytes(blocks), dpi=200))
    page.get_by_role("tab", name="Documents").click()
    page.set_input_files("#upload input[type=file]", str(scan))
    seen, started = [], time.monotonic()
    while time.monotonic() - started < 180 and "scanned-notice.pdf" not in page.locator("#documents").inner_text():
        seen += [t for t in page.locator(".progress-level-inner").all_inner_texts() if t and t not in seen]
        time.sleep(0.1)
    pages = [tuple(map(int, m.groups())) for t in seen if (m := re.search(r"Reading pages by OCR (\d+)/(\d+)", t))]
    assert len(pages) >= 2 and len({total for _, total in pages}) == 1 and pages[0][1] >= 3, seen
    assert [done for done, _ in pages] == sorted(done for done, _ in pages), seen
    page.get_by_role("tab", name="Chat").click()
    ask(page, "Where does the lighthouse keeper store the spare lantern lenses?")
    page.wait_for_function("document.querySelector('#sources') && "
                           "document.querySelector('#sources').innerText.includes('scanned-notice.pdf')", timeout=90_000)
    card = page.locator("#sources .source-card", has_text="scanned-notice.pdf").first
    assert "read by OCR" in card.inner_text() and LENSES in card.inner_text()
    assert f"p. {pages[0][1]}" in card.inner_text()  # the last page, where the sentence stands


def test_search_only_one_document_keeps_every_source_in_it(page):
    ask(page, "Where does the harbour master keep the spare propeller?")
    page.wait_for_selector("#sources .source-card", timeout=90_000)
    assert "harbour.pdf" in page.locator("#sources .source-card").first.inner_text()  # unfiltered, it is cited
    page.locator("#filters").get_by_text("Search only…").click()
    box = page.locator("#only-documents input")
    box.click()
    box.fill(SEED_FILE.name)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function(f"document.querySelector('#only-documents').innerText.includes('{SEED_FILE.name}')",
                           timeout=30_000)
    ask(page, "Where does the harbour master keep the spare propeller?")
    page.wait_for_function("document.querySelector('#query').innerText.includes('only ')", timeout=90_000)
    assert f"only {SEED_FILE.name}" in page.locator("#query").inner_text()
    assert page.locator("#sources [id^='source-2-']").count() == 0  # the news article has no propeller
    assert "do not contain" in page.locator("#chat .message").last.inner_text()


def test_each_answer_keeps_its_own_sources(page):
    ask(page, "What did Xi tell Biden?")
    page.wait_for_selector("#sources #source-1-1", timeout=90_000)
    ask(page, "Who did Wang Yi meet, and where?")
    page.wait_for_selector("#sources #source-2-1", timeout=90_000)
    page.locator("#chat .message a.cite").first.click()  # [1] of the first answer
    assert page.evaluate("location.hash") == "#source-1-1"
    card = page.locator("#source-1-1")
    assert "conflict and turmoil" in card.locator("mark").inner_text() and card.is_visible()  # answer 1's [1]
    assert "Lavrov" in page.locator("#source-2-1").inner_text()


def _page_holding(pdf: Path, words: str) -> int:
    """The page a phrase is printed on, read from the PDF itself."""
    from pdfminer.high_level import extract_text

    for number in range(1, 10):
        if words in extract_text(str(pdf), page_numbers=[number - 1]):
            return number
    raise AssertionError(f"{words!r} is on no page")


def test_open_shows_the_whole_document_at_the_cited_sentence(page, served):
    ask(page, "Where does the harbour master keep the spare propeller?")
    page.wait_for_selector("#sources .source-card mark", timeout=90_000)
    card = page.locator("#sources .source-card").first
    page_no = _page_holding(served[1] / "seeds" / "harbour.pdf", "spare propeller")
    assert page_no > 1 and "harbour.pdf" in card.inner_text() and f"p. {page_no}" in card.inner_text()
    with page.context.expect_page() as opened:
        card.locator("a.open").click()
    viewer = opened.value
    viewer.wait_for_selector("mark#cited", timeout=30_000)
    assert viewer.locator("mark#cited").inner_text() == corpus.PAGE_THREE
    assert "The regional transport authority said" in viewer.locator("main").inner_text()  # the whole document
    assert viewer.locator("span.page").all_inner_texts() == [f"p. {n}" for n in range(1, page_no + 1)]
    in_view = "(() => { const r = document.getElementById('cited').getBoundingClientRect();" \
              " return r.top >= 0 && r.bottom <= window.innerHeight && window.scrollY > 0; })()"
    viewer.wait_for_function(in_view, timeout=10_000)
    assert viewer.locator(f"a[href$='/file#page={page_no}']").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    viewer.screenshot(path=str(ARTIFACTS / "ui-open-source.png"))


def test_a_thumbs_down_in_the_ui_becomes_a_case_that_must_change(page, served):
    url, root = served
    ask(page, "When did Russia invade Ukraine?")
    page.wait_for_selector("#sources .source-card", timeout=90_000)
    page.fill("#feedback-comment textarea", "the date is right but I wanted the month")
    page.locator("#chat button[aria-label='Dislike']").last.click()
    page.wait_for_function("document.querySelector('#rated').innerText.includes('recorded')", timeout=30_000)
    report = subprocess.run([sys.executable, "-m", "rag.cli", "eval", "--feedback", "--seeds", str(root / "seeds"),
                             "--index", str(root / "index"), "--json"], capture_output=True, text=True, timeout=300)
    moved = json.loads(report.stdout)["moved"]
    case = next(m for m in moved if m["question"] == "When did Russia invade Ukraine?")
    assert case["rating"] == "down" and case["comment"] == "the date is right but I wanted the month"
    assert not case["held"] and case["after"] == case["before"]  # nothing changed yet: it must
