"""`rag collections …` and `rag keys …`: the collections one service serves, and who may use them."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from rag.cli_options import ConfigOpt, IndexOpt, JsonOpt, print_json, settings_from

collections_app = typer.Typer(help="Collections: named sets of documents served side by side.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys: who may read, write or administer which collection.", no_args_is_help=True)


def _library(config: Optional[Path], index: Optional[Path]):
    from rag.library import Library

    return Library(settings_from(config, None, index))


def _table(rows: list[dict], as_json: bool, line: str) -> None:
    """Rows as one JSON list, or one tab-separated line each."""
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(line.format(**row))


@collections_app.command("create")
def collections_create(
    name: str = typer.Argument(..., help="lower-case letters, digits, - and _"),
    seeds: Optional[Path] = typer.Option(None, "--seeds", help="Its documents' folder (default: one made for it "
                                         "under the index folder)."),
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
):
    """Make a collection; add documents to its folder (or upload them) and index it."""
    made = _library(config, index).create(name, seeds)
    if as_json:
        print_json(made)
    else:
        typer.echo(f"{made['name']}: documents in {made['seeds']}; index it with "
                   f"`rag index --collection {made['name']}`.")


@collections_app.command("list")
def collections_list(index: Optional[Path] = IndexOpt, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt):
    """Every collection, with its folder and what its index holds."""
    library = _library(config, index)
    _table([library.describe(name) for name in library.names()], as_json,
           "{name}\t{documents} documents, {chunks} chunks\t{seeds}")


@collections_app.command("delete")
def collections_delete(
    name: str = typer.Argument(...),
    files: bool = typer.Option(False, "--files", help="Also delete its documents (only a folder made for it)."),
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
):
    """Remove a collection's index and its keys; its documents stay unless --files."""
    _library(config, index).delete(name, files=files)
    typer.echo(f"{name}: deleted{' with its documents' if files else '; its documents are kept'}.")


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., "--role", help="read, write or admin"),
    collection: str = typer.Option("*", "--collection", help="The collection it is for (default: all)."),
    label: Optional[str] = typer.Option(None, "--name", help="A label to list and revoke it by."),
    index: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
):
    """Make a key; it is printed once, on the last line, and only its hash is kept."""
    library = _library(config, index)
    if collection != "*":
        library.get(collection)  # an unknown collection is an error now, not a key that opens nothing
    key, entry = library.keys.create(role, collection, label)
    typer.echo(f"{entry['label']}: {entry['role']} on {entry['collection']}. The key (shown this once):", err=True)
    typer.echo(key)


@keys_app.command("list")
def keys_list(index: Optional[Path] = IndexOpt, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt):
    """Labels, roles and collections; never the keys."""
    _table(_library(config, index).keys.list(), as_json, "{label}\t{role}\t{collection}\t{created}")


@keys_app.command("revoke")
def keys_revoke(label: str = typer.Argument(...), index: Optional[Path] = IndexOpt,
                config: Optional[Path] = ConfigOpt):
    """Revoke a key: refused from the next request on, no restart."""
    _library(config, index).keys.revoke(label)
    typer.echo(f"{label}: revoked.")
