"""Text PDFs' share of `rag bench`: PDFs typeset here from the bench corpus's own text (reportlab,
A4, 11 pt, a title and a paragraph per abstract), then
- a folder of them indexed by a fresh service: reading alone (pdfminer, pages a second), embedding
  alone, and the whole build, which reads the next files while the last are embedded, so it costs
  about the longer of the two, not their sum (`pdf_overlap`: build / (read + embed));
- one 20-page PDF uploaded as the UI and the API do, into that index: seconds from the upload until
  an answer cites it, and the job's phases on the way."""
from __future__ import annotations

import io
import textwrap
import time
from pathlib import Path

from rag.embedding import embed_chunks
from rag.ingest.readers import parse_document

LINES = 52  # lines of 11 pt text on an A4 page with 2 cm margins


def pdf_bench(service, texts: list[str], files: int, pages: int, tmp: Path, log=print) -> dict:
    per_file = max(1, len(texts) // (files + 1))
    pdfs = [text_pdf(texts[i * per_file:(i + 1) * per_file], pages) for i in range(files + 1)]
    upload, folder = pdfs[-1], pdfs[:-1]
    seeds = tmp / "pdf-seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(folder):
        (seeds / f"paper-{i:02d}.pdf").write_bytes(data)
    service = service.reconfigured(paths__seeds=seeds, paths__index=tmp / "pdf-index")
    log(f"{files} text PDFs of {pages} pages…")
    started = time.perf_counter()
    docs = [parse_document(f"paper-{i:02d}.pdf", data) for i, data in enumerate(folder)]
    read_s = time.perf_counter() - started
    indexer = service.index.indexer
    chunks = [c for doc in docs for c in indexer.chunker.split(doc)]
    started = time.perf_counter()
    embed_chunks(indexer.embedder, chunks, indexer.sentences, indexer.whole_chunks)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    service.index.run()
    build_s = time.perf_counter() - started
    report = {"pdf_files": files, "pdf_pages": files * pages, "pdf_chunks": len(chunks),
              "pdf_read_pages_per_s": round(files * pages / read_s, 1), "pdf_read_s": round(read_s, 2),
              "pdf_embed_s": round(embed_s, 2), "pdf_build_s": round(build_s, 2),
              "pdf_build_pages_per_s": round(files * pages / build_s, 1),
              "pdf_overlap": round(build_s / (read_s + embed_s), 3)}
    return report | _upload_until_answered(service, upload, texts[files * per_file], pages)


def _upload_until_answered(service, data: bytes, first_text: str, pages: int) -> dict:
    """Seconds from handing the upload over until an answer cites it; the job's phases timed on
    the way (polled every 10 ms)."""
    question = first_text.split("\n", 1)[0].rstrip(".") + "?"  # the title of its first abstract
    started = time.perf_counter()
    name, job = service.index.upload("upload-20-pages.pdf", data)
    phases: dict[str, float] = {}
    while (current := service.index.jobs.get(job.id)).state in ("queued", "running"):
        if current.phase and current.phase not in phases:
            phases[current.phase] = round(time.perf_counter() - started, 2)
        time.sleep(0.01)
    indexed = time.perf_counter() - started
    answer = service.answers.ask(question)
    answered = time.perf_counter() - started
    cited = any(c.source == name for c in answer.citations)
    return {"upload_pages": pages, "upload_state": current.state, "upload_indexed_s": round(indexed, 2),
            "upload_answered_s": round(answered, 2), "upload_cited": cited, "upload_phases_s": phases}


def text_pdf(texts: list[str], pages: int) -> bytes:
    """`pages` A4 pages of the texts (each a title line and its paragraph), as a word processor
    would write them: a text layer, wrapped lines, page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    lines = []
    for text in texts:
        title, _, body = text.partition("\n")
        lines += [("Helvetica-Bold", title[:95])] + [("Helvetica", line) for line in textwrap.wrap(body, 95)] + [None]
        if len(lines) >= pages * LINES:
            break
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(texts[0].partition("\n")[0] if texts else "")
    width, height = A4
    for page in range(pages):
        y = height - 57
        for line in lines[page * LINES:(page + 1) * LINES]:
            if line is not None:
                pdf.setFont(line[0], 10)
                pdf.drawString(57, y, line[1])
            y -= 14
        pdf.setFont("Helvetica", 9)
        pdf.drawString(width / 2, 30, str(page + 1))
        pdf.showPage()
    pdf.save()
    return out.getvalue()
