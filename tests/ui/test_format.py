from ui.format import answer_markdown, documents_rows, highlight, sources_html, summary_text

RESULT = {
    "answer": "Xi spoke. [1] Unbacked claim. (unsupported)",
    "not_found": False,
    "note": "Sentences marked (unsupported) are not backed by the documents.",
    "parts": [{"text": "Xi spoke.", "citations": [1], "unsupported": False},
              {"text": "Unbacked claim.", "citations": [], "unsupported": True}],
    "citations": [{"id": 1, "source": "a.txt", "title": "T <b>", "date": "2024-11-20", "quote": "Xi spoke.",
                   "start": 10, "end": 19, "chunk_id": "c", "text": "Before. Xi spoke. After.", "score": 0.9}],
}


def test_markers_link_to_source_cards_and_unsupported_is_marked():
    md = answer_markdown(RESULT)
    assert 'Xi spoke. <a class="cite" href="#source-1">[1]</a>' in md
    assert 'class="unsupported"' in md and "Unbacked claim." in md
    assert "not backed" in md


def test_source_card_highlights_the_quote_inside_its_chunk():
    html = sources_html(RESULT)
    assert 'id="source-1"' in html and "Before. <mark>Xi spoke.</mark> After." in html
    assert "2024-11-20 · a.txt · chars 10–19" in html


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
