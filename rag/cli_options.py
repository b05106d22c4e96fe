"""What every CLI command shares: the folder, config and --json options, the settings they make,
and the service built from them."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from rag.config import Settings, load_settings
from rag.errors import UserInputError

SeedsOpt = typer.Option(None, "--seeds", help="Folder of documents (default: config paths.seeds).")
IndexOpt = typer.Option(None, "--index", help="Index folder (default: config paths.index).")
ConfigOpt = typer.Option(None, "--config", help="Path to config.yaml (env RAG_CONFIG).")
JsonOpt = typer.Option(False, "--json", help="Print one JSON object on stdout.")
CollectionOpt = typer.Option(None, "--collection", help="A collection other than `default` (rag collections list).")
WhereOpt = typer.Option(None, "--where", help="Narrow the documents searched, repeatable: documents=GLOB[,GLOB], "
                        "folder=DIR, date_from=YYYY-MM-DD, date_to=YYYY-MM-DD, tags=TAG[,TAG].")
LISTS = ("documents", "tags")  # filters that take several values, comma-separated


def settings_from(config: Optional[Path], seeds: Optional[Path], index: Optional[Path], **extra) -> Settings:
    settings = load_settings(config)
    return settings.with_overrides(
        paths__seeds=seeds.resolve() if seeds else None,
        paths__index=index.resolve() if index else None,
        **extra,
    )


def where_filters(clauses: Optional[list[str]]) -> Optional[dict]:
    """--where key=value clauses as the filters `ask` takes (checked there)."""
    if not clauses:
        return None
    filters: dict = {}
    for clause in clauses:
        key, sep, value = clause.partition("=")
        if not sep:
            raise UserInputError(f"--where takes key=value, e.g. documents=reports/*.pdf; not '{clause[:60]}'.")
        key = key.strip()
        filters[key] = [v.strip() for v in value.split(",") if v.strip()] if key in LISTS else value.strip()
    return filters


def service_for(settings: Settings, collection: Optional[str] = None):
    """The service of the default collection, or of the one named."""
    if collection and collection != "default":
        from rag.library import Library

        return Library(settings).get(collection)
    from rag.service import build_service

    return build_service(settings)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
