"""CSV, XLSX, PPTX and EPUB read as statements with their sheet, slide or chapter; bad files skipped."""
import pytest

from rag.ingest.layout import MAX_ROWS, Unreadable
from rag.ingest.readers import parse_document
from rag.language.sentences import split_sentences

from tests.ingest.office_files import HARBOUR, make_epub, make_pptx, make_xlsx


def statements(doc):
    return [doc.text[a:b] for a, b in split_sentences(doc.text) if not any(h[0] <= a < h[1] for h in doc.headings)]


def section_of(doc, phrase):
    at = doc.text.index(phrase)
    return [path for start, path in doc.sections if start <= at][-1]


def test_csv_rows_are_statements_under_their_header_whatever_the_delimiter():
    for delimiter in (",", ";", "\t"):
        data = "\n".join(delimiter.join(row) for row in HARBOUR).encode()
        doc = parse_document("costs.csv", data)
        assert statements(doc) == ["Item: Hull repairs; Cost: 1.4 million euros",
                                   "Item: Engine overhaul; Cost: 0.9 million euros"]


def test_xlsx_sheets_are_sections_and_cells_of_any_type_are_text():
    doc = parse_document("harbour.xlsx", make_xlsx({"Costs": HARBOUR, "Timetable": [["Departure", "Pier"],
                                                                                  ["23:10", "north pier"], [1998, None]]}))
    assert "Item: Hull repairs; Cost: 1.4 million euros" in statements(doc)
    assert section_of(doc, "Hull repairs") == "Costs" and section_of(doc, "north pier") == "Timetable"
    assert "Departure: 1998" in doc.text


def test_a_large_sheet_is_capped_with_a_note(monkeypatch):
    import rag.ingest.layout as layout

    monkeypatch.setattr(layout, "MAX_ROWS", 3)
    doc = parse_document("big.csv", ("n,v\n" + "".join(f"{i},x\n" for i in range(10))).encode())
    assert doc.text.count("n: ") == 3 and "7 more rows of this sheet are not indexed" in doc.text
    doc = parse_document("big.xlsx", make_xlsx({"Log": [["n", "v"], *([i, "x"] for i in range(10))]}))
    assert doc.text.count("n: ") == 3 and "The rest of Log, after 3 rows, is not indexed" in doc.text  # not read on
    assert MAX_ROWS == 20_000


def test_pptx_slides_are_pages_and_sections_with_their_notes_and_tables():
    data = make_pptx([{"title": "Ferry returns", "body": ["The ferry returns to service on 2 December."],
                       "notes": "A survey of 800 passengers is due in spring."},
                      {"title": "Costs", "table": HARBOUR}])
    doc = parse_document("deck.pptx", data)
    assert doc.text.count("Ferry returns") == 1
    assert "The ferry returns to service on 2 December." in statements(doc)
    assert "A survey of 800 passengers is due in spring." in statements(doc)
    assert "Item: Hull repairs; Cost: 1.4 million euros" in statements(doc)
    assert len(doc.pages) == 2 and doc.pages[1] <= doc.text.index("Hull repairs")
    assert section_of(doc, "Hull repairs") == "Costs"


def test_epub_chapters_are_sections_in_reading_order():
    doc = parse_document("book.epub", make_epub("Harbour book", [("Chapter one", "The ferry was built in 1998."),
                                                                 ("Chapter two", "The contractor was Adria Shipyards.")]))
    assert doc.title == "Harbour book"
    assert statements(doc) == ["The ferry was built in 1998.", "The contractor was Adria Shipyards."]
    assert section_of(doc, "Adria") == "Chapter two"


@pytest.mark.parametrize("name", ["bad.xlsx", "bad.pptx", "bad.epub"])
def test_a_corrupt_office_file_is_skipped_with_a_reason(name):
    with pytest.raises(Unreadable, match="corrupt"):
        parse_document(name, b"PK\x03\x04 not really a zip file")
