"""Every format through the real packaged model and FAISS on disk; crash-safety with real kills."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.stores import versions
from rag.service import build_service

from tests import corpus
from tests.conftest import ROOT, SEED_FILE, chunk_ids, live_chunks, live_vector_ids, live_view, make_settings
from tests.ingest.test_readers import make_docx, make_pdf

pytestmark = pytest.mark.slow
SCIFACT = ROOT.parent / "shared" / "bench" / "scifact" / "corpus.jsonl"

FORMATS = {
    "notes/tea.txt": ("Tea notes\nThe Darjeeling estate ships its first flush in March.",
                      "When does the Darjeeling estate ship its first flush?", "March"),
    "guide.md": ("# Kettle guide\n\nA gooseneck kettle pours water slowly and precisely.",
                 "Which kettle pours water slowly and precisely?", "gooseneck"),
    "page.html": ("<html><head><title>Ceramics</title><script>var teapot='Yixing clay';</script></head>"
                  "<body><p>Porcelain teapots are fired at very high temperatures.</p></body></html>",
                  "At what temperatures are porcelain teapots fired?", "Porcelain"),
    "report.pdf": (None, "Which plant makes matcha powder?", "Camellia"),
    "memo.docx": (None, "How long should green tea steep?", "two minutes"),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("formats")
    seeds = root / "seeds"
    for name, (content, _, _) in FORMATS.items():
        path = seeds / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".pdf"):
            path.write_bytes(make_pdf("Matcha powder is ground from shade-grown Camellia sinensis leaves.", "Matcha"))
        elif name.endswith(".docx"):
            path.write_bytes(make_docx(["Steeping", "Green tea should steep for about two minutes."]))
        else:
            path.write_text(content, encoding="utf-8")
    (seeds / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    (seeds / "bad.txt").write_bytes(b"\x00\x01binary\x00")
    (seeds / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    svc = build_service(make_settings(seeds, root / "index"), real_embedder)
    svc.summary = svc.index.run()
    return svc


def test_every_format_is_indexed_and_bad_files_reported(service):
    s = service.summary
    assert s.added == len(FORMATS) + 1
    assert {x.path for x in s.skipped} == {"bad.txt", "latin.txt"}
    assert set(service.index.snapshot().documents) == set(FORMATS) | {SEED_FILE.name}
    assert "var teapot" not in " ".join(c.text for c in live_chunks(service.index.snapshot()).values())


@pytest.mark.parametrize("source", list(FORMATS))
def test_each_format_answers_with_a_citation_to_itself(service, source):
    _, question, phrase = FORMATS[source]
    answer = service.answers.ask(question)
    assert not answer.not_found, question
    cited = [c for c in answer.citations if c.source == source]
    assert cited and phrase in cited[0].quote


def test_chunks_fit_the_model_window_and_offsets_hold(service, real_embedder):
    text = SEED_FILE.read_text(encoding="utf-8")
    for chunk in live_chunks(service.index.snapshot()).values():
        assert len(real_embedder.token_spans(chunk.text)) <= real_embedder.max_tokens - 2
        if chunk.source == SEED_FILE.name:
            assert text[chunk.start : chunk.end] == chunk.text
            for a, b in chunk.sentences:
                assert text[a:b] == chunk.sentence_text(a, b)


def test_an_answer_reads_the_sentence_vectors_kept_at_index_time(service, real_embedder, monkeypatch):
    question = "What did Xi tell Biden?"
    for hit in service.answers.search(question):
        chunk = hit.chunk
        assert chunk.sentence_vectors.shape == (len(chunk.sentences), real_embedder.dim)
        now = real_embedder.embed_batch([chunk.sentence_text(a, b) for a, b in chunk.sentences], query=True)
        assert (now * chunk.sentence_vectors).sum(axis=1).min() > 0.999  # int8 in the record, same vectors
    embedded, embed = [], real_embedder.embed_batch
    monkeypatch.setattr(real_embedder, "embed_batch", lambda texts, **kw: embedded.extend(texts) or embed(texts, **kw))
    answer = service.answers.ask(question)
    assert not answer.not_found and set(embedded) == {question}  # the sentences were not embedded again


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory, real_embedder):
    """A wrapped three-page PDF and a hard-wrapped Markdown file, as a user drops them into seeds/."""
    root = tmp_path_factory.mktemp("wrapped")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "harbour.pdf").write_bytes(corpus.pdf_bytes(corpus.three_pages()))
    (seeds / "ferry.md").write_text(corpus.markdown(corpus.NEWS), encoding="utf-8")
    svc = build_service(make_settings(seeds, root / "index"), real_embedder)
    svc.index.run()
    return svc


def test_pdf_citation_names_page_three_and_quotes_the_whole_sentence(wrapped):
    answer = wrapped.answers.ask("Where does the harbour master keep the spare propeller?")
    cited = [c for c in answer.citations if c.source == "harbour.pdf"]
    assert cited and cited[0].quote == corpus.PAGE_THREE and cited[0].page == 3
    text = wrapped.index.document("harbour.pdf")["text"]
    assert text[cited[0].start:cited[0].end] == cited[0].quote


def test_pdf_answers_with_whole_sentences_across_wrapped_lines(wrapped):
    answer = wrapped.answers.ask("What did Xi tell Biden?")
    quotes = [c.quote for c in answer.citations if c.source == "harbour.pdf"]
    assert any(q.endswith("would protect its “core interests” on the peninsula.") for q in quotes), quotes


def test_markdown_list_item_answers_with_its_section(wrapped):
    answer = wrapped.answers.ask("Who was the contractor?")
    cited = [c for c in answer.citations if c.source == "ferry.md"]
    assert cited and cited[0].quote == "Contractor: Adria Shipyards" and cited[0].section == "Costs"


def _many_documents(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if SCIFACT.exists():
        with SCIFACT.open() as handle:
            for i, line in zip(range(count), handle):
                row = json.loads(line)
                (folder / f"doc{i:04d}.txt").write_text(f"{row['title']}\n{row['text']}")
    else:
        for i in range(count):
            (folder / f"doc{i:04d}.txt").write_text(" ".join(f"Sentence {j} of document {i}." for j in range(80)))


def _start_indexer(seeds, index):
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "index", "--seeds", str(seeds), "--index", str(index), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def _kill_when(proc, condition, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    return False


BULK = 400


def test_killing_a_real_indexer_midway_leaves_previous_index_loadable(tmp_path, real_embedder):
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    (seeds / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    first = _start_indexer(seeds, index)  # the same process kind (and backend) as the runs killed below
    before = json.loads(first.communicate(timeout=300)[0])
    before_version = versions.current_name(index)
    # ~1,000 chunks and their sentences: well over 6 s of embedding at 2026-12-02's ~100 chunks/s
    _many_documents(seeds / "bulk", BULK)

    started = time.monotonic()
    kills = {
        "while embedding": lambda: time.monotonic() - started > 6,
        "while writing the new segment": lambda: any(
            p.name.endswith(".partial") for p in versions.segments_dir(index).iterdir()),
    }
    for label, condition in kills.items():
        started = time.monotonic()
        proc = _start_indexer(seeds, index)
        assert _kill_when(proc, condition), f"indexer finished before it could be killed {label}"
        view = live_view(index)
        assert view.name == before_version, label
        assert view.count() == len(live_vector_ids(view)) == len(live_chunks(view)) == before["chunks_total"]

    proc = _start_indexer(seeds, index)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    finished = json.loads(out)
    clean = chunk_ids(seeds, real_embedder)  # what a clean index holds, nothing duplicated or lost
    assert finished["added"] == BULK and finished["chunks_total"] == len(clean)
    view = live_view(index)
    assert live_vector_ids(view) == set(live_chunks(view))
    assert {c.id for c in live_chunks(view).values()} == clean


@pytest.fixture(scope="module")
def office(tmp_path_factory, real_embedder):
    from tests.ingest.office_files import make_epub, make_pptx, make_xlsx

    root = tmp_path_factory.mktemp("office")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "deck.pptx").write_bytes(make_pptx([
        {"title": "Harbour update", "body": ["The authority met the ferry operators on Tuesday."]},
        {"title": "Ferry returns", "body": ["The harbour ferry returns to service on 2 December."],
         "notes": "Say that the vessel was built in 1998."}]))
    (seeds / "costs.xlsx").write_bytes(make_xlsx({"Summary": [["Total", "2.3 million euros"]],
                                                  "Repairs": [["Item", "Cost"], ["Hull repairs", "1.4 million euros"],
                                                              ["Engine overhaul", "0.9 million euros"]]}))
    (seeds / "history.epub").write_bytes(make_epub("Harbour history", [
        ("The old pier", "The north pier was rebuilt after the storm of 1953."),
        ("The shipyard", "Adria Shipyards has repaired the harbour ferry since 2004.")]))
    (seeds / "timetable.csv").write_text("Departure,Pier\n06:40,north pier\n23:10,south pier\n", encoding="utf-8")
    svc = build_service(make_settings(seeds, root / "index"), real_embedder)
    summary = svc.index.run()
    assert summary.added == 4 and not summary.skipped
    return svc


def cited(answer, source):
    return [c for c in answer.citations if c.source == source]


def test_a_slide_answers_with_its_page_and_section(office):
    found = cited(office.answers.ask("When does the harbour ferry return to service?"), "deck.pptx")
    assert found and found[0].quote == "The harbour ferry returns to service on 2 December."
    assert (found[0].page, found[0].section) == (2, "Ferry returns")


def test_a_sheet_row_answers_with_its_sheet(office):
    found = cited(office.answers.ask("How much did the hull repairs cost?"), "costs.xlsx")
    assert found and found[0].quote == "Item: Hull repairs; Cost: 1.4 million euros" and found[0].section == "Repairs"


def test_an_epub_chapter_and_a_csv_row_answer(office):
    found = cited(office.answers.ask("When was the north pier rebuilt?"), "history.epub")
    assert found and "1953" in found[0].quote and found[0].section == "The old pier"
    found = cited(office.answers.ask("From which pier does the 23:10 departure leave?"), "timetable.csv")
    assert found and found[0].quote == "Departure: 23:10; Pier: south pier"
