import io

import pytest

from rag.ingest.layout import Unreadable
from rag.ingest.readers import find_date, iter_files, load_document

from tests.conftest import SEED_FILE


def write(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def test_seed_document_title_and_date(tmp_path):
    doc = load_document(SEED_FILE, SEED_FILE.parent)
    assert doc.source == SEED_FILE.name
    assert doc.title == "Chinese, Russian FMs discuss Korea tensions"
    assert doc.date == "2024-11-20"
    assert len(doc.hash) == 64


def test_markdown_title_drops_hashes(tmp_path):
    doc = load_document(write(tmp_path, "n.md", "# Notes on tea\n\nGreen tea is steamed."), tmp_path)
    assert doc.title == "Notes on tea"


def test_html_drops_scripts_and_styles_and_uses_title(tmp_path):
    html = ("<html><head><title>Tea page</title><style>p{color:red}</style></head>"
            "<body><script>alert('x')</script><p>Green tea is steamed.</p></body></html>")
    doc = load_document(write(tmp_path, "a/t.html", html), tmp_path)
    assert doc.source == "a/t.html" and doc.title == "Tea page"
    assert "Green tea is steamed." in doc.text
    assert "alert" not in doc.text and "color" not in doc.text


def make_pdf(text, title=None, password=None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    if title:
        pdf.setTitle(title)
    if password:
        from reportlab.lib import pdfencrypt

        pdf = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption(password, canPrint=0))
    pdf.drawString(72, 720, text)
    pdf.save()
    return buf.getvalue()


def make_docx(paragraphs, title=None) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if title:
        document.core_properties.title = title
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_pdf_text_and_metadata_title(tmp_path):
    doc = load_document(write(tmp_path, "p.pdf", make_pdf("Oolong is partly oxidised.", "Tea PDF")), tmp_path)
    assert "Oolong is partly oxidised." in doc.text and doc.title == "Tea PDF"


def test_docx_paragraphs(tmp_path):
    data = make_docx(["Matcha is powdered.", "Sencha is not."], title="Tea doc")
    doc = load_document(write(tmp_path, "d.docx", data), tmp_path)
    assert doc.text == "Matcha is powdered.\nSencha is not." and doc.title == "Tea doc"


def test_utf16_with_bom_is_read(tmp_path):
    doc = load_document(write(tmp_path, "u.txt", "Rooibos is red.".encode("utf-16")), tmp_path)
    assert doc.text == "Rooibos is red."


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "no text"),
        ("bin.txt", b"abc\x00\x01\x02", "binary"),
        ("latin1.txt", "caf\u00e9".encode("latin-1"), "not valid UTF-8"),
        ("x.pdf", b"%PDF-1.4 garbage", "corrupt PDF"),
        ("zero.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
                     b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF", "no text found"),  # a PDF of no pages
        ("x.docx", b"not a zip", "corrupt DOCX"),
        ("song.mp3", b"ID3", "unsupported file type '.mp3'"),
        ("noext", b"text", "unsupported file type '(none)'"),
        ("s.html", "<script>var a=1;</script><style>b{}</style>", "no text"),
    ],
)
def test_unreadable_files_give_a_reason(tmp_path, name, data, reason):
    with pytest.raises(Unreadable, match=reason.replace("(", r"\(").replace(")", r"\)")):
        load_document(write(tmp_path, name, data), tmp_path)


def test_encrypted_pdf_is_skipped_with_reason(tmp_path):
    path = write(tmp_path, "locked.pdf", make_pdf("secret", password="pw"))
    with pytest.raises(Unreadable, match="encrypted"):
        load_document(path, tmp_path)


def test_symlink_outside_is_not_followed(tmp_path):
    outside = write(tmp_path, "outside/secret.txt", "Secret text.")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "link.txt").symlink_to(outside)
    assert [p.name for p in iter_files(seeds)] == ["link.txt"]
    with pytest.raises(Unreadable, match="outside the seeds folder"):
        load_document(seeds / "link.txt", seeds)


def test_iter_files_is_recursive_sorted_and_skips_hidden(tmp_path):
    for name in ["b.txt", "a/c.md", ".hidden/x.txt", ".dot.txt"]:
        write(tmp_path, name, "x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)] == ["a/c.md", "b.txt"]


@pytest.mark.parametrize(
    "text, date",
    [("Title\nDept 20-11-2024\nBody", "2024-11-20"), ("Posted 2023-02-01.", "2023-02-01"),
     ("No date here", None), ("Ref 99-99-2024", None)],
)
def test_find_date(text, date):
    assert find_date(text) == date


def test_binary_behind_a_utf16_bom_is_not_text(tmp_path):
    with pytest.raises(Unreadable, match="UTF-16"):
        load_document(write(tmp_path, "b.txt", b"\xff\xfe\x00binary\x00\x00"), tmp_path)
    with pytest.raises(Unreadable, match="binary"):
        load_document(write(tmp_path, "c.txt", b"\xff\xfe" + b"\x01\x00\x02\x00" * 50), tmp_path)


def test_tags_come_from_front_matter_and_keywords_and_front_matter_is_not_text(tmp_path):
    doc = load_document(write(tmp_path, "n.md", "---\ntitle: Ferry notes\ntags: [ferry, Harbour]\n---\n"
                              "# Notes\n\nThe ferry runs at night.\n"), tmp_path)
    assert doc.tags == ["ferry", "Harbour"] and doc.title == "Ferry notes" and "tags" not in doc.text
    assert load_document(write(tmp_path, "k.md", "---\nkeywords: budget; tram\n---\nText.\n"), tmp_path).tags == \
        ["budget", "tram"]
    ruled = load_document(write(tmp_path, "r.md", "---\nA line between rules, not YAML: [\n---\nText.\n"), tmp_path)
    assert ruled.tags == [] and "A line between rules" in ruled.text
    import docx

    document = docx.Document()
    document.add_paragraph("The ferry runs at night.")
    document.core_properties.keywords = "ferry, night service"
    buf = io.BytesIO()
    document.save(buf)
    assert load_document(write(tmp_path, "d.docx", buf.getvalue()), tmp_path).tags == ["ferry", "night service"]
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setKeywords("ferry; budget")
    pdf.drawString(72, 720, "The ferry runs at night.")
    pdf.save()
    assert load_document(write(tmp_path, "p.pdf", buf.getvalue()), tmp_path).tags == ["ferry", "budget"]


def test_an_upload_read_to_check_it_is_not_read_again_by_its_job(monkeypatch):
    from rag.ingest import readers

    calls = []
    real = readers.reader
    monkeypatch.setattr(readers, "reader", lambda suffix: lambda data: calls.append(suffix) or real(suffix)(data))
    data = b"Harbour notes\nThe pier reopened in May."
    checked = readers.parse_document("notes.txt", data, keep=True)
    assert readers.parse_document("notes.txt", data) is checked  # the job's read: kept from the check
    assert readers.parse_document("notes.txt", data) is not checked  # once only
    assert readers.parse_document("other.txt", data).source == "other.txt"  # name and bytes both match
    assert calls == [".txt", ".txt", ".txt"]


# What the readers make of some evaluation documents and the test corpus, by reader VERSION. An
# index built by one version is reused only while VERSION stands (rag/ingest/indexer.py), so output
# that changes under the same VERSION would leave indexes stale without anyone knowing.
READER_OUTPUT = {6: "31440d219b2e52b8c649686dc723f647502f53be65946001295682f6577a103b"}
READ = ["updates/android-patching.html", "updates/yahoo-progress.html", "news/cnn-mobility.html", "docs/bm25s-README.md",
        "harbour/harbour-ferry.md", "paper/cover-crops.pdf", "normans/normans.txt"]


def test_reader_output_changes_only_with_the_reader_version():
    import hashlib
    import json
    from pathlib import Path

    from rag.ingest.readers import VERSION, parse_document
    from tests import corpus

    evalsets = Path(__file__).resolve().parents[2] / "rag" / "evalsets"
    files = [(Path(name).name, (evalsets / name).read_bytes()) for name in READ]
    blocks = corpus.document_blocks(pages=2)
    files += [(f"corpus{ext}", writer(blocks)) for ext, writer in corpus.WRITERS.items()]
    digest = hashlib.sha256()
    for name, data in files:
        doc = parse_document(name, data)
        digest.update(json.dumps([name, doc.text, doc.title, doc.headings, doc.pages, doc.sections]).encode())
    assert READER_OUTPUT.get(VERSION) == digest.hexdigest(), (
        "the readers' output changed: bump rag/ingest/readers.VERSION (indexes then rebuild) and record "
        f"{{{VERSION + 1}: \"{digest.hexdigest()}\"}} in READER_OUTPUT")
