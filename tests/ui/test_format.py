from ui.format import (answer_markdown, document_body, document_page, documents_rows, highlight, index_status,
                       job_progress, location, sources_html, sources_panel, summary_text)

RESULT = {
    "answer": "Xi spoke. [1] Unbacked claim. (unsupported)",
    "not_found": False,
    "note": "Sentences marked (unsupported) are not backed by the documents.",
    "parts": [{"text": "Xi spoke.", "citations": [1], "unsupported": False},
              {"text": "Unbacked claim.", "citations": [], "unsupported": True,
               "reason": "The passage closest to this sentence says otherwise: “did not \"back\" it”"}],
    "citations": [{"id": 1, "source": "a.txt", "title": "T <b>", "date": "2024-11-20", "quote": "Xi spoke.",
                   "start": 10, "end": 19, "chunk_id": "c", "text": "Before. Xi spoke. After.", "score": 0.9}],
}


def test_markers_link_to_source_cards_and_unsupported_is_marked():
    md = answer_markdown(RESULT)
    assert 'Xi spoke. <a class="cite" href="#source-1-1">[1]</a>' in md
    assert 'href="#source-3-1"' in answer_markdown(RESULT, turn=3)
    assert 'class="unsupported"' in md and "Unbacked claim." in md
    assert 'title="The passage closest to this sentence says otherwise: “did not &quot;back&quot; it”"' in md
    assert "not backed" in md


def test_source_card_highlights_the_quote_inside_its_chunk():
    html = sources_html(RESULT)
    assert 'id="source-1-1"' in html and "Before. <mark>Xi spoke.</mark> After." in html
    assert "2024-11-20 · a.txt · chars 10–19" in html
    assert '<a class="open" href="/view/a.txt?start=10&amp;end=19#cited"' in html or \
        '<a class="open" href="/view/a.txt?start=10&end=19#cited"' in html


def test_each_answer_keeps_its_own_source_cards_newest_first():
    other = dict(RESULT, citations=[dict(RESULT["citations"][0], quote="After.", start=20, end=26)])
    panel = sources_panel([{"question": "First?", "result": RESULT}, {"question": "Second <b>?", "result": other}])
    assert panel.index('id="answer-2"') < panel.index('id="answer-1"')
    assert 'id="source-1-1"' in panel and 'id="source-2-1"' in panel and "Second &lt;b&gt;?" in panel
    first = panel[panel.index('id="source-1-1"'):]
    assert "<mark>Xi spoke.</mark>" in first.split("</blockquote>")[0]


def test_index_status_and_job_progress():
    status = {"index_version": "v", "built": "2026-11-29T19:20:00+00:00", "documents": 3, "chunks": 41}
    assert index_status(status) == "Index built 2026-11-29 19:20:00 UTC from 3 documents (41 chunks)."
    assert index_status({"index_version": ""}).startswith("No index yet")
    assert job_progress({"state": "running", "phase": "embedding", "done": 50, "total": 200}) == \
        (0.25, "Embedding 50/200")
    assert job_progress({"state": "queued", "phase": None, "done": 0, "total": 0}) == (None, "Queued…")
    assert job_progress({"state": "running", "phase": "ocr", "done": 2, "total": 8}) == \
        (0.25, "Reading pages by OCR 2/8")


def test_a_fetched_source_links_back_to_its_page_and_only_over_http():
    url = 'https://news.example/story?a=1&b="x"'
    card = sources_html({**RESULT, "citations": [{**RESULT["citations"][0], "url": url}]})
    assert 'class="origin" href="https://news.example/story?a=1&amp;b=&quot;x&quot;"' in card
    assert 'rel="noopener noreferrer"' in card
    for unsafe in ("javascript:alert(1)", "data:text/html,x", None):
        assert "origin" not in sources_html({**RESULT, "citations": [{**RESULT["citations"][0], "url": unsafe}]})
    page = document_page({"name": "a.html", "title": "T", "date": None, "text": "Hi.", "url": url})
    assert "web page</a>" in page


def test_location_names_page_and_section_before_characters():
    c = RESULT["citations"][0]
    assert location(dict(c, page=3, section="Results > Ferry service")) == "p. 3 · § Results > Ferry service"
    assert location(dict(c, page=None, section="Costs")) == "§ Costs"
    assert location(c) == "chars 10–19"
    assert location(dict(c, page=2, ocr=True)) == "p. 2 · read by OCR"


TEXT = "Report\nFirst page text. It <b> ends\nSecond page here.\nResults\nThe answer is 42."
DOC = {"name": "r.pdf", "title": "Report", "date": None, "text": TEXT,
       "pages": [{"page": 1, "start": 0}, {"page": 2, "start": TEXT.index("Second")}],
       "sections": [{"start": TEXT.index("Results"), "path": "Results"}],
       "headings": [{"start": 0, "end": 6}, {"start": TEXT.index("Results"), "end": TEXT.index("Results") + 7}]}


def test_document_view_marks_the_cited_span_pages_and_sections():
    start = DOC["text"].index("The answer is 42.")
    body = document_body(DOC, start, start + len("The answer is 42."))
    assert '<mark id=cited>The answer is 42.</mark>' in body
    assert '<p><span class="page">p. 2</span>Second page here.</p>' in body
    assert "<h3>Results</h3>" in body and '<p class="label"><span class="page">p. 1</span>Report</p>' in body
    assert "It &lt;b&gt; ends" in body  # document text is escaped


def test_document_view_links_the_original_at_the_cited_page():
    start = DOC["text"].index("Second")
    page = document_page(DOC, start, start + 6)
    assert "/api/documents/r.pdf/file#page=2" in page and "<mark id=cited>Second</mark>" in page
    assert "<mark" not in document_page(DOC, 5, 500)  # a span outside the text marks nothing


def test_document_text_cannot_inject_markup():
    evil = dict(RESULT, parts=[{"text": "<script>alert(1)</script>", "citations": [1], "unsupported": False}])
    evil["citations"] = [dict(RESULT["citations"][0], text="<img src=x onerror=alert(1)> q", quote="q",
                              title="<script>x</script>")]
    assert "<script>" not in answer_markdown(evil)
    html = sources_html(evil)
    assert "<img" not in html and "<script>" not in html and "&lt;img" in html


def test_not_found_says_so():
    assert "No source" in sources_html({"not_found": True, "citations": []})


def test_highlight_falls_back_when_quote_is_not_in_chunk():
    assert highlight("abc", "zzz") == "<mark>zzz</mark>"


def test_documents_and_summary():
    assert documents_rows([{"name": "a.txt", "title": "A", "date": None, "chunks": 2, "hash": "h"}]) == [["a.txt", "A", "", 2]]
    text = summary_text({"added": 1, "updated": 0, "removed": 0, "unchanged": 2, "chunks_embedded": 3,
                         "chunks_total": 9, "seconds": 1.25, "skipped": [{"path": "x.bin", "reason": "binary"}]})
    assert text.startswith("1 added") and "skipped x.bin: binary" in text


def test_a_short_answer_leads_in_bold_linked_to_its_sentence():
    md = answer_markdown({**RESULT, "short_answer": {"text": "<1066>", "citation": 1, "start": 10, "end": 14}}, turn=2)
    assert md.startswith('<strong class="short">&lt;1066&gt;</strong> <a class="cite" href="#source-2-1">[1]</a>\n\n')
    assert not answer_markdown(RESULT).startswith("<strong")


def test_the_search_only_choices_become_filters_and_the_answer_says_what_it_searched():
    from ui.format import chosen_filters, filters_note

    assert chosen_filters([], " ", "") is None and chosen_filters(None) is None
    assert chosen_filters(["a.pdf"], "2024-01-01", "") == {"documents": ["a.pdf"], "date_from": "2024-01-01"}
    note = filters_note({"documents": ["a.pdf", "<b>.md"], "date_from": "2024-01-01", "tags": ["ferry"]})
    assert note == " · only a.pdf, &lt;b&gt;.md · dated 2024-01-01 to … · tagged ferry"
    assert filters_note(None) == ""
