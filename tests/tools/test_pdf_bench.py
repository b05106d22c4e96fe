"""The bench's typeset PDFs read back as the text they were made from, page by page."""
from rag.ingest.readers import parse_document
from rag.tools.pdf_bench import text_pdf

WORDS = "harbour pier ferry storm stone bridge tide quay lighthouse canal market river".split()
ABSTRACTS = [f"On the {WORDS[i % 12]} and the {WORDS[(i * 5 + 1) % 12]}, part {i}\nThe {WORDS[(i + 3) % 12]} was "
             f"rebuilt in {1800 + i} after the {WORDS[(i * 7) % 12]} failed, and work went on for {i + 2} months."
             for i in range(120)]


def test_a_typeset_pdf_has_its_pages_and_its_text():
    doc = parse_document("paper.pdf", text_pdf(ABSTRACTS, pages=3))
    assert doc.title == "On the harbour and the pier, part 0"  # its first title, as the PDF's own
    assert "The storm was rebuilt in 1800 after the harbour failed" in doc.text
    assert "rebuilt in 1850" in doc.text and "On the pier and the tide, part 1" in doc.text
    assert len(doc.pages) == 3  # each page's start offset
