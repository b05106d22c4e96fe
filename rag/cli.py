"""Command line: `rag index`, `rag ask`, `rag serve`, `rag eval`, `rag bench` (and, from
rag/cli_documents.py, `rag add URL` and `rag refresh`).

The only place RagErrors become exit messages: one clear line on stderr, exit 1.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from rag import cli_bench, cli_documents
from rag.cli_format import format_answer, format_sources
from rag.cli_access import collections_app, keys_app
from rag.cli_options import (CollectionOpt, ConfigOpt, IndexOpt, JsonOpt, SeedsOpt, WhereOpt, print_json,
                             service_for, settings_from, where_filters)
from rag.config import Settings
from rag.errors import RagError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Answer questions over a folder of documents, with exact-sentence citations.")
app.command()(cli_documents.add)
app.command()(cli_documents.refresh)
app.command()(cli_bench.bench)
app.add_typer(collections_app, name="collections")
app.add_typer(keys_app, name="keys")

@app.command()
def index(
    seeds: Optional[Path] = SeedsOpt,
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
    rebuild: bool = typer.Option(False, "--rebuild", help="Ignore the existing index and embed everything."),
    ray: bool = typer.Option(False, "--ray", help="Read, chunk and embed on Ray Data (a local Ray unless --ray-address)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Join this Ray cluster (implies --ray)."),
    collection: Optional[str] = CollectionOpt,
):
    """Bring the index in line with the seeds folder (only new or changed files are embedded)."""
    on_ray = ray or ray_address is not None
    ray_settings = {"ingest__engine": "ray", "ingest__ray_address": ray_address} if on_ray else {}
    service = service_for(settings_from(config, seeds, index, **ray_settings), collection)
    summary = service.index.run(rebuild=rebuild, progress=terminal_progress(not as_json and sys.stderr.isatty()))
    if as_json:
        data = summary.model_dump(mode="json")
        data.pop("version")
        print_json(data)
        return
    typer.echo(
        f"{summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged; {summary.chunks_embedded} chunks embedded, "
        f"{summary.chunks_total} in the index ({summary.seconds:.1f}s)."
    )
    for skipped in summary.skipped:
        typer.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question to answer from the documents."),
    index: Optional[Path] = IndexOpt,
    seeds: Optional[Path] = SeedsOpt,
    top_k: Optional[int] = typer.Option(None, "--top-k", help="Chunks to retrieve."),
    model: Optional[str] = typer.Option(None, "--model", help="'extractive' or a litellm model (env RAG_MODEL)."),
    history: Optional[str] = typer.Option(None, "--history", help="Prior turns as JSON [{role, content}], or @file."),
    stream: bool = typer.Option(False, "--stream", help="Print the answer as it is written."),
    where: Optional[list[str]] = WhereOpt,
    collection: Optional[str] = CollectionOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Answer a question from the indexed documents, citing the sentences that say it."""
    settings = settings_from(config, seeds, index, generation__model=model)
    service = service_for(settings, collection)
    turns, filters = _read_history(history), where_filters(where)
    if stream and not as_json:
        result = _stream(service.answers.ask_stream(question, history=turns, top_k=top_k, filters=filters))
        typer.echo("\n\n" + format_sources(result))
        return
    answer = service.answers.ask(question, history=turns, top_k=top_k, filters=filters)
    if as_json:
        print_json(answer.model_dump(mode="json"))
    else:
        typer.echo(format_answer(answer.model_dump(mode="json")))


@app.command()
def chat(
    index: Optional[Path] = IndexOpt,
    model: Optional[str] = typer.Option(None, "--model", help="'extractive' or a litellm model."),
    where: Optional[list[str]] = WhereOpt,
    collection: Optional[str] = CollectionOpt,
    config: Optional[Path] = ConfigOpt,
):
    """Ask questions one after another; follow-ups know what came before. Ctrl-D ends."""
    service = service_for(settings_from(config, None, index, generation__model=model), collection)
    turns: list[dict] = []
    filters = where_filters(where)
    while True:
        try:
            question = input("\nquestion> ").strip()
        except EOFError:
            return
        if not question:
            continue
        try:
            result = _stream(service.answers.ask_stream(question, history=turns, filters=filters))
        except RagError as exc:
            typer.echo(f"error: {exc}", err=True)
            continue
        typer.echo("\n\n" + format_sources(result))
        turns += [{"role": "user", "content": question}, {"role": "assistant", "content": result["answer"]}]


def terminal_progress(show: bool):
    """A progress bar on stderr for each phase of an index run (scanning, embedding, …)."""
    if not show:
        return None
    from tqdm import tqdm

    bars: dict[str, object] = {}

    def update(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            for other in bars.values():
                other.close()
            label = "OCR pages" if phase == "ocr" else phase.capitalize()
            bar = bars[phase] = tqdm(total=total, desc=label, unit="", file=sys.stderr, leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _stream(events) -> dict:
    """Print tokens as they come; return the final, checked result."""
    for event in events:
        if event["type"] == "token":
            sys.stdout.write(event["text"])
            sys.stdout.flush()
        else:
            result = event["result"]
    sys.stdout.write("\n\n--- checked answer ---\n" + result["answer"])
    return result


def _read_history(value: Optional[str]):
    if not value:
        return None
    try:
        text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise RagError(f"--history must be JSON like [{{\"role\": \"user\", \"content\": \"...\"}}]: {exc}") from None


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port (default 7860)."),
    seeds: Optional[Path] = SeedsOpt,
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    watch: Optional[bool] = typer.Option(None, "--watch/--no-watch", help="Re-index when files change."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild the index first (e.g. when it is corrupt)."),
    public: bool = typer.Option(False, "--public", help="Allow a non-loopback address without an API key."),
):
    """Serve the chat UI at / and the HTTP API at /api (docs at /docs)."""
    settings = settings_from(config, seeds, index, server__host=host, server__port=port, server__watch=watch,
                             server__allow_public=public or None)
    from rag.library import Library

    library = Library(settings)
    check_bind(settings, library.keys.enabled())
    service = library.get("default")
    if rebuild or not service.index.has_index():
        typer.echo("Building the index…", err=True)
        service.index.run(rebuild=rebuild, progress=terminal_progress(sys.stderr.isatty()))
    service.index.snapshot()  # a corrupt index stops here with a message naming --rebuild
    for name in library.names()[1:]:  # the other collections index in jobs of their own, while serving
        if not library.get(name).index.has_index():
            library.get(name).index.start()
    run_server(library)


@app.command()
def mcp(seeds: Optional[Path] = SeedsOpt, index: Optional[Path] = IndexOpt, config: Optional[Path] = ConfigOpt):
    """Serve the Model Context Protocol over stdio, for desktop assistants and editors (`rag serve`
    serves it over HTTP at /mcp)."""
    from rag.api.mcp import build_mcp

    service = service_for(settings_from(config, seeds, index))
    if not service.index.has_index():
        typer.echo("Building the index…", err=True)  # stdout carries the protocol alone
        service.index.run()
    build_mcp(service).run("stdio")


feedback_app = typer.Typer(help="Ratings users gave answers.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Option(..., "--out", help="JSONL file to write (the format `rag eval --qa` reads)."),
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
):
    """Write every rated question as a QA check: thumbs-up as answerable with its cited sentence,
    thumbs-down as a question the documents should not answer that way."""
    from rag.tools.ratings import export_feedback

    count = export_feedback(service_for(settings_from(config, None, index)), out)
    typer.echo(f"{count} rated questions -> {out}", err=True)


DEFAULT_QA = Path(__file__).resolve().parent / "evalsets" / "seeds_qa.jsonl"


@app.command("eval")
def evaluate(
    beir: Optional[Path] = typer.Option(None, "--beir", help="BEIR folder (corpus.jsonl, queries.jsonl, qrels/)."),
    qa: Optional[Path] = typer.Option(None, "--qa", help=f"JSONL of question checks (e.g. {DEFAULT_QA.name})."),
    squad: Optional[Path] = typer.Option(None, "--squad", help="SQuAD 2.0 JSON: answers and refusals, with a sweep."),
    claims: Optional[Path] = typer.Option(None, "--claims", help="JSONL of true and false claims (or a folder of "
                                          "NAME_claims.jsonl and NAME/ documents): what the grounding check keeps "
                                          "and catches, per category."),
    feedback: bool = typer.Option(False, "--feedback", help="Re-ask rated answers: a thumbs-up must still cite "
                                  "the same sentence, a thumbs-down must change."),
    web_pages: Optional[Path] = typer.Option(None, "--web-pages", help="Folder of saved pages (source.html, "
                                             "expected.html): how much besides the article is indexed."),
    max_docs: Optional[int] = typer.Option(None, "--max-docs", help="Evaluate on a subset of this many documents."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Where the BEIR (or claim sets') indexes are cached."),
    index: Optional[Path] = IndexOpt,
    seeds: Optional[Path] = SeedsOpt,
    collection: Optional[str] = CollectionOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Measure retrieval (--beir), answers and citations (--qa), answers and refusals (--squad), the
    grounding check on claims (--claims) or what users rated (--feedback), with the service's own settings."""
    from rag.tools import beir as beir_eval
    from rag.tools.qa import evaluate_qa

    if web_pages:
        from rag.tools.webpages import evaluate_web_pages

        return _print_report(evaluate_web_pages(web_pages), as_json)
    if not beir and not qa and not squad and not claims and not feedback:
        raise RagError(f"Give --beir DIR, --qa FILE, --squad FILE, --claims FILE or --feedback (a QA file for "
                       f"seeds/ ships as {DEFAULT_QA}).")
    service = service_for(settings_from(config, seeds, index), collection)
    if feedback:
        from rag.tools.ratings import evaluate_feedback

        return _print_report(evaluate_feedback(service), as_json)
    if squad:
        return _squad(service, squad, work_dir, as_json)
    if claims:
        from rag.tools.claims import evaluate_claim_sets, evaluate_claims

        if claims.is_dir():
            folder = work_dir or Path(".cache") / f"eval-claims-{claims.resolve().name}"
            return _print_report(evaluate_claim_sets(service, claims, folder), as_json)
        return _print_report(evaluate_claims(service, claims), as_json)
    report = {}
    if beir:
        data = beir_eval.load_beir(beir, max_docs)
        folder = work_dir or Path(".cache") / f"eval-{beir.resolve().name}-{max_docs or 'all'}"
        report = beir_eval.evaluate_beir(service, data, folder,
                                         progress=terminal_progress(not as_json and sys.stderr.isatty()))
    if qa:
        report = {**report, "qa": evaluate_qa(service, qa)} if beir else evaluate_qa(service, qa)
    _print_report(report, as_json)


def _print_report(report: dict, as_json: bool) -> None:
    """One JSON line with --json, else the same object indented for reading."""
    if as_json:
        print_json(report)
    else:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))


def _squad(service, path: Path, work_dir: Optional[Path], as_json: bool) -> None:
    import tempfile

    from rag.tools import squad

    articles = squad.load_squad(path)
    with tempfile.TemporaryDirectory(prefix="rag-squad-") as tmp:
        folder = work_dir or Path(tmp)
        squad.write_articles(articles, folder / "seeds")
        report = squad.evaluate_squad(service.reconfigured(paths__seeds=folder / "seeds", paths__index=folder / "index"),
                                      articles)
    if as_json:
        return print_json(report)
    answer = service.settings.answer
    shown = ("sweep", "lengths", "min_score_cross_validated")
    typer.echo(json.dumps({k: v for k, v in report.items() if k not in shown}, indent=2))
    typer.echo(f"\nWhat each answer.min_score costs (the service's strictness; default {answer.min_score}):\n"
               + squad.sweep_table(report["sweep"]))
    typer.echo(f"\nmin_score cross-validated across paragraphs (most refusals at cite_hit >= {squad.CITE_HIT}):\n"
               + squad.cross_validation_text(report["min_score_cross_validated"]))
    typer.echo(f"\nWhat each answer length costs (default max_sentences {answer.max_sentences}, margin "
               f"{answer.margin}):\n" + squad.sweep_table(report["lengths"]))


def check_bind(settings: Settings, keys: bool = False) -> None:
    import ipaddress

    server = settings.server
    try:
        loopback = server.host == "localhost" or ipaddress.ip_address(server.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not server.api_key and not keys and not server.allow_public:
        raise RagError(f"Refusing to serve on {server.host} without an API key: create one (rag keys create) or "
                       "set server.api_key (or RAG_API_KEY), or pass --public to allow it.")


def run_server(library) -> None:
    import uvicorn

    import importlib

    from rag.api.app import create_app
    from rag.ingest.watcher import SeedsWatcher

    settings = library.settings
    s = settings.server
    if settings.log.requests:
        from rag.observe.request_log import to_stderr

        to_stderr()
    app = create_app(library=library)
    if s.ui:  # the UI is composed onto the API here; the core package never imports it
        app = importlib.import_module(s.ui).mount(app, library)
    if s.watch:
        for name in library.names():
            SeedsWatcher(library.get(name), s.watch_interval).start()
    typer.echo(f"Serving on http://{s.host}:{s.port}  (API: /api, docs: /docs). Ctrl-C stops.", err=True)
    uvicorn.run(app, host=s.host, port=s.port, log_level="warning")


def main() -> None:
    try:
        app(standalone_mode=False)
    except RagError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except (typer.Exit, SystemExit) as exc:
        sys.exit(getattr(exc, "exit_code", getattr(exc, "code", 0)))
    except Exception as exc:  # usage errors arrive here with standalone_mode off (typer vendors click,
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # so its exception classes are typer's own)
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
