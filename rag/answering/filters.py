"""Which documents a question may search: the catalogue narrowed by the answer's `Filters` (names
or globs, a folder, a date range, tags). The narrowing happens inside the search (a store's
`View.restricted`), so the top_k hits are the best of the allowed documents, never what is left
of the best of all."""
from __future__ import annotations

import datetime
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from pydantic import ValidationError

from rag.config import first_error
from rag.errors import UserInputError
from rag.records import Filters


def check_filters(filters) -> Filters | None:
    """The request's filters as a Filters (None when none narrow anything); bad ones are a UserInputError."""
    if filters is None:
        return None
    if not isinstance(filters, Filters):
        try:
            filters = Filters.model_validate(filters)
        except ValidationError as exc:
            raise UserInputError(f"filters: {first_error(exc)}") from None
    for name in ("date_from", "date_to"):
        value = getattr(filters, name)
        if value is not None:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise UserInputError(f"filters.{name} must be a date like 2024-11-20, not '{value[:40]}'.") from None
    return None if filters.empty() else filters


def matching(documents: dict[str, dict], filters: Filters) -> set[str]:
    """The sources in the catalogue that every given filter admits."""
    return {source for source, entry in documents.items() if admits(filters, source, entry)}


def admits(filters: Filters, source: str, entry: dict) -> bool:
    if filters.documents and not any(source == p or fnmatchcase(source, p) for p in filters.documents):
        return False
    if filters.folder and PurePosixPath(filters.folder.strip("/")) not in PurePosixPath(source).parents:
        return False
    date = entry.get("date")
    if (filters.date_from or filters.date_to) and not date:
        return False  # a document without a date is outside any date range
    if filters.date_from and date < filters.date_from or filters.date_to and date > filters.date_to:
        return False
    if filters.tags:
        wanted = {t.strip().lower() for t in filters.tags}
        if not wanted & {t.lower() for t in entry.get("tags") or []}:
            return False
    return True
