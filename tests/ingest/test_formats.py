"""Every reader on documents as people write them: whole sentences, pages, sections, statements."""
import pytest

from rag.ingest.chunker import Chunker
from rag.language.sentences import split_sentences
from rag.ingest.readers import parse_document

from tests import corpus
from tests.conftest import FakeEmbedder


@pytest.fixture(scope="module")
def blocks():
    return corpus.document_blocks(pages=4)


@pytest.fixture(scope="module")
def parsed(blocks):
    return {ext: parse_document(f"doc{ext}", write(blocks)) for ext, write in corpus.WRITERS.items()}


@pytest.mark.parametrize("ext", list(corpus.WRITERS))
def test_sentences_come_out_whole(parsed, blocks, ext):
    assert corpus.integrity(parsed[ext].text, corpus.expected(blocks)) >= 0.99


def sentences(doc):
    return [doc.text[a:b] for a, b in split_sentences(doc.text)]


@pytest.mark.parametrize("ext", list(corpus.WRITERS))
def test_inline_markup_and_urls_do_not_reach_the_text(parsed, ext):
    doc = parsed[ext]
    assert "Service will run every 20 minutes at peak times." in sentences(doc)
    assert "https://" not in doc.text and "**" not in doc.text and "<em>" not in doc.text


@pytest.mark.parametrize("ext", list(corpus.WRITERS))
def test_list_items_are_statements_and_headings_label(parsed, ext):
    doc = parsed[ext]
    item = doc.text.index("Cost: 2.3 million euros")
    heading = doc.text.index("Ferry service\n")
    assert not any(a <= item < b for a, b in doc.headings)
    assert any(a == heading for a, _ in doc.headings)


@pytest.mark.parametrize("ext", [".md", ".html", ".docx"])
def test_table_rows_keep_their_header(parsed, ext):
    assert "Item: Hull repairs; Cost: 1.4 million euros" in sentences(parsed[ext])


@pytest.mark.parametrize("ext", [".md", ".html", ".docx", ".pdf"])
def test_nested_headings_give_the_section_path(parsed, ext):
    doc = parsed[ext]
    chunk = Chunker(FakeEmbedder().token_spans, 200, 0).split(doc)
    at = doc.text.index("A survey of 800 regular passengers")
    hit = next(c for c in chunk if c.start <= at < c.end)
    assert hit.section_at(at).endswith("Results > Passenger survey")


def test_pdf_furniture_is_left_out_and_hyphens_resolved(parsed):
    doc = parsed[".pdf"]
    assert "Harbour Weekly" not in doc.text
    assert not any(line.strip().isdigit() for line in doc.text.splitlines())
    assert "infrastructure fund." in doc.text and "infra- structure" not in doc.text
    assert "Off-peak departures" in doc.text  # a hyphen the document writes stays


def test_pdf_pages_are_offsets_into_the_text():
    doc = parse_document("report.pdf", corpus.pdf_bytes(corpus.three_pages()))
    assert len(doc.pages) == 3 and doc.pages[0] == 0
    starts = [doc.text.index(s) for s in ("Harbour ferry returns", "Chinese, Russian FMs", "Notes\n")]
    assert doc.pages == starts
    chunk = Chunker(FakeEmbedder().token_spans, 200, 0).split(doc)
    at = doc.text.index(corpus.PAGE_THREE)
    assert next(c for c in chunk if c.start <= at < c.end).page_at(at) == 3


def test_paragraph_running_over_a_page_break_is_one_sentence(blocks):
    doc = parse_document("doc.pdf", corpus.pdf_bytes(blocks))
    for sentence in corpus.expected(blocks).sentences:
        assert " ".join(sentence.split()) in doc.text


def test_markdown_soft_wraps_join_and_hard_breaks_never_split_a_sentence():
    text = "# Notes\n\nThe kettle\nboils at *one hundred*\ndegrees. It is [loud](http://x.org).\n"
    doc = parse_document("n.md", text.encode())
    assert sentences(doc) == ["Notes", "The kettle boils at one hundred degrees.", "It is loud."]
    assert doc.title == "Notes" and doc.sections == []


def test_html_inline_elements_never_break_and_blocks_do():
    page = ("<html><body><p>Service will run every <em>20\n minutes</em> at <b>peak</b> times.</p>"
            "<div>Second block<br>after a break.</div><ul><li>Free parking</li></ul></body></html>")
    doc = parse_document("p.html", page.encode())
    assert sentences(doc) == ["Service will run every 20 minutes at peak times.", "Second block",
                              "after a break.", "Free parking"]
    free = doc.text.index("Free parking")
    assert not any(a <= free < b for a, b in doc.headings)  # a list item states


def test_plain_text_stays_as_written(tmp_path):
    from tests.conftest import SEED_FILE

    doc = parse_document(SEED_FILE.name, SEED_FILE.read_bytes())
    assert doc.text == SEED_FILE.read_text(encoding="utf-8").strip()
    assert [doc.text[a:b] for a, b in doc.headings] == doc.text.splitlines()[:2]  # title, dateline
    assert doc.pages == [] and doc.sections == []


def test_a_hyphen_at_a_line_end_stays_inside_names_and_model_numbers():
    from collections import Counter

    from rag.ingest.formats.pdf import _join

    words = Counter({"harbour": 3})
    assert _join(["The largest model, T5-", "11B, was trained longer."], words) == "The largest model, T5-11B, was trained longer."
    assert _join(["We compare GPT-", "neo with it."], words) == "We compare GPT-neo with it."
    assert _join(["the har-", "bour master"], words) == "the harbour master"  # a word the typesetter split
    assert _join(["Off-", "peak departures"], Counter({"off-peak": 1})) == "Off-peak departures"


ARTICLE = " ".join(f"The harbour ferry made crossing number {n} on time, the authority said on Monday." for n in range(12))


def test_a_web_page_is_read_for_its_article_without_menus_or_newsletters():
    from rag.ingest.formats.html import read

    page = ("<html><head><title>Ferry back</title></head><body><div class='menu'><a href='/'>Home</a> "
            "<a href='/news'>News</a> <a href='/sport'>Sport</a></div><article><h1>Ferry back</h1><p>"
            + ARTICLE + "</p><p>Passengers said they <em>missed</em> the crossing.</p></article>"
            "<div class='sidebar'><p>Sign up for our newsletter to get the best stories every morning.</p>"
            "<ul><li><a href='/a'>Ten recipes for summer salads you must try</a></li></ul></div>"
            "<div id='comments'><p>Great news, I love this city and its old boats!</p></div></body></html>")
    text = read(page.encode()).text
    assert ARTICLE in text and "Passengers said they missed the crossing." in text
    assert "newsletter" not in text and "summer salads" not in text and "Sport" not in text
    assert "Great news" not in text


def test_a_short_page_with_no_article_is_read_whole():
    from rag.ingest.formats.html import read

    text = read(b"<html><body><nav>x</nav><p>Opening hours: 9 to 5.</p><p>Closed on Sundays.</p></body></html>").text
    assert text.split("\n") == ["Opening hours: 9 to 5.", "Closed on Sundays."]


def test_a_bold_paragraph_heads_its_section_and_a_prose_heading_tag_does_not():
    from rag.ingest.formats.html import read

    caption = " ".join(["The ferry leaves the harbour at dawn with its first passengers of the day"] * 2) + "."
    page = ("<html><head><title>Ferry notes</title></head><body><h1>Ferry notes</h1>"
            "<p>The ferry runs daily.</p><p><strong>Winter timetable</strong></p><p>It runs hourly in winter.</p>"
            f"<h2>{caption}</h2><p>Fares rise in May.</p><p>Fares are <b>not</b> rising.</p></body></html>")
    doc = read(page.encode())
    sections = dict((doc.text[at:].split("\n")[0], path) for at, path in doc.sections)
    assert sections["Winter timetable"] == "Winter timetable"  # (the lone top heading is the title)
    assert caption not in sections and "Fares are not rising." not in sections


def test_a_readme_with_an_html_header_has_its_title_there():
    text = ('<div align="center">\n\n<h1>Ferrylib</h1>\n\n<i>Timetables for small harbours</i>\n\n</div>\n\n'
            "Ferrylib reads timetables.\n\n## Installation\n\nInstall it with pip.\n")
    doc = parse_document("README.md", text.encode())
    assert doc.title == "Ferrylib" and [path for _, path in doc.sections] == ["Installation"]
    assert "Timetables for small harbours" in sentences(doc)  # a block of HTML that heads nothing states
