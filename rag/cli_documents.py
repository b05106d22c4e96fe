"""`rag add URL` and `rag refresh`: documents fetched by URL (rag/cli.py registers them)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from rag.cli_options import ConfigOpt, IndexOpt, JsonOpt, SeedsOpt, print_json, service_for, settings_from
from rag.errors import UserInputError
from rag.ingest import sources


def add(
    url: str = typer.Argument(..., help="An http(s) web page or PDF."),
    seeds: Optional[Path] = SeedsOpt,
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Fetch a page or PDF into the seeds folder (public addresses only, unless fetch.allow_private)
    and index it; its citations link back to the URL."""
    service = service_for(settings_from(config, seeds, index))
    name, job = service.index.add_url(url)
    summary = service.index.jobs.result(job.id)
    if as_json:
        print_json({"name": name, "url": url, **summary})
        return
    typer.echo(f"{url} -> {name}: {summary['chunks_embedded']} chunks embedded.")
    for skipped in summary["skipped"]:
        typer.echo(f"skipped {skipped['path']}: {skipped['reason']}", err=True)


def refresh(
    names: Optional[list[str]] = typer.Argument(None, help="Documents to fetch again (default: every one added by URL)."),
    seeds: Optional[Path] = SeedsOpt,
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Fetch documents added by URL again; re-index those whose page changed."""
    settings = settings_from(config, seeds, index)
    names = names or sorted(sources.load(settings.paths.seeds))
    if not names:
        raise UserInputError("No document in the seeds folder was added by URL; add one with `rag add URL`.")
    service = service_for(settings)
    results = []
    for name in names:
        changed, job = service.index.refresh(name)
        if job is not None:
            service.index.jobs.result(job.id)
        results.append({"name": name, "changed": changed})
        if not as_json:
            typer.echo(f"{name}: {'changed, re-indexed' if changed else 'unchanged'}")
    if as_json:
        print_json(results)
