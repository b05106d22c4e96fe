"""Command line: `rag index`, `rag ask`, `rag serve`, `rag eval`, `rag bench`.

The only place RagErrors become exit messages: one clear line on stderr, exit 1.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .config import Settings, load_settings
from .errors import RagError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Answer questions over a folder of documents, with exact-sentence citations.")

SeedsOpt = typer.Option(None, "--seeds", help="Folder of documents (default: config paths.seeds).")
IndexOpt = typer.Option(None, "--index", help="Index folder (default: config paths.index).")
ConfigOpt = typer.Option(None, "--config", help="Path to config.yaml (env RAG_CONFIG).")
JsonOpt = typer.Option(False, "--json", help="Print one JSON object on stdout.")


def settings_from(config: Optional[Path], seeds: Optional[Path], index: Optional[Path], **extra) -> Settings:
    settings = load_settings(config)
    return settings.with_overrides(
        paths__seeds=seeds.resolve() if seeds else None,
        paths__index=index.resolve() if index else None,
        **extra,
    )


def service_for(settings: Settings):
    from .service import build_service

    return build_service(settings)


@app.command()
def index(
    seeds: Optional[Path] = SeedsOpt,
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
    rebuild: bool = typer.Option(False, "--rebuild", help="Ignore the existing index and embed everything."),
):
    """Bring the index in line with the seeds folder (only new or changed files are embedded)."""
    service = service_for(settings_from(config, seeds, index))
    summary = service.index(rebuild=rebuild, progress=not as_json and sys.stderr.isatty())
    if as_json:
        data = summary.to_dict()
        data.pop("version")
        _print_json(data)
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
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Answer a question from the indexed documents, citing the sentences that say it."""
    service = service_for(settings_from(config, seeds, index))
    answer = service.ask(question, top_k=top_k)
    if as_json:
        _print_json(answer.to_dict())
    else:
        typer.echo(format_answer(answer))


def format_answer(answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            date = f", {c.date}" if c.date else ""
            lines.append(f"[{c.id}] {c.title} ({c.source}{date}, chars {c.start}-{c.end})")
            lines.append(f"    \u201c{c.quote}\u201d")
    return "\n".join(lines)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


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
    except Exception as exc:  # click usage errors arrive here with standalone_mode off
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
