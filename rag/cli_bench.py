"""`rag bench`: ingestion against raw encoding, incremental adds, queries, answers, search at scale,
OCR, text PDFs, collections and Ray (rag/cli.py registers it; rag/tools/bench.py measures)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from rag.cli_options import ConfigOpt, JsonOpt, print_json, service_for, settings_from
from rag.errors import RagError


def bench(
    beir: Optional[Path] = typer.Option(None, "--beir", help="BEIR folder to ingest and query."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="A folder of documents to ingest instead."),
    max_docs: Optional[int] = typer.Option(None, "--max-docs", help="Use at most this many documents."),
    scale: str = typer.Option("100000", "--scale", help="Vector counts for the search-scale test ('' skips)."),
    store_scale: str = typer.Option("", "--store-scale", help="Chunk counts for the local store's scale test "
                                    "(build, add one, serving memory and latency), e.g. 1000000."),
    queries: int = typer.Option(100, "--queries", help="Questions timed for query latency."),
    ocr_pages: int = typer.Option(4, "--ocr-pages", help="Scanned pages typeset from the corpus and timed "
                                  "through OCR (0 skips)."),
    collections: int = typer.Option(10, "--collections", help="Collections served at once, each a copy of the "
                                    "corpus: ask p50 across them, and questions during a rebuild (0 skips)."),
    clients: int = typer.Option(10, "--clients", help="Clients asking the other collections during the rebuild."),
    pdf_files: int = typer.Option(4, "--pdf-files", help="Text PDFs of 20 pages typeset from the corpus: read, "
                                  "embedded and indexed, and one uploaded until answered (0 skips)."),
    ray: int = typer.Option(0, "--ray", help="Index again on a local Ray with 1 and this many workers (0 skips)."),
    store: Optional[str] = typer.Option(None, "--store", help="Index backend to measure: local or milvus "
                                        "(default: config store.backend; milvus uses collections rag_bench_*)."),
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Time ingestion (against raw encoding), incremental adds, queries, answers and search at scale."""
    from rag.tools.bench import run_bench

    if not beir and not corpus:
        raise RagError("Give --beir DIR (e.g. ../shared/bench/scifact) or --corpus DIR.")
    sizes, store_sizes = ([int(x) for x in arg.replace("_", "").split(",") if x.strip()] for arg in (scale, store_scale))
    service = service_for(settings_from(config, None, None, store__backend=store,
                                        store__milvus__collection_prefix="rag_bench_"))
    log = (lambda m: None) if as_json else (lambda m: typer.echo(m, err=True))
    report = run_bench(service, beir, corpus, max_docs, sizes, queries, log, store_sizes, ocr_pages,
                       (collections, clients), pdf_files, ray)
    if as_json:
        print_json(report)
    else:
        typer.echo(json.dumps(report, indent=2))
