"""Errors a user can act on. Messages are written for people, not for developers.

Only the boundaries (CLI, HTTP API, UI) translate these into exit codes or status codes.
"""


class RagError(Exception):
    """Base class: the message is shown to the user as is."""

    status = 500


class UserInputError(RagError):
    """The request itself is wrong (empty question, bad parameter)."""

    status = 400


class NotFoundError(RagError):
    status = 404


class ConflictError(RagError):
    status = 409


class PayloadTooLargeError(RagError):
    status = 413


class FetchError(RagError):
    """A page asked for by URL could not be fetched (the remote side failed)."""

    status = 502


class AuthError(RagError):
    status = 401


class ForbiddenError(RagError):
    """The key is known and may read this collection, but not do this."""

    status = 403


class ConfigError(RagError):
    """config.yaml cannot be read or holds a bad value."""


class NoIndexError(RagError):
    status = 503

    def __init__(self, index_dir):
        super().__init__(
            f"No index found in {index_dir}. Build one first with: rag index --seeds <folder>"
        )


class CorruptIndexError(RagError):
    status = 503

    def __init__(self, index_dir, reason):
        super().__init__(
            f"The index in {index_dir} cannot be loaded ({reason}). "
            f"Rebuild it with: rag index --rebuild --index {index_dir}"
        )


class IndexBusyError(RagError):
    status = 409

    def __init__(self, index_dir):
        super().__init__(
            f"Another indexer is already updating {index_dir}; try again when it has finished."
        )


class StoreUnavailableError(RagError):
    """The index store (a Milvus server) failed or cannot be reached."""

    status = 503

    def __init__(self, where, detail):
        super().__init__(f"The index store at {where} did not answer ({detail[:160]}). Check that it is "
                         "running and that store.milvus.uri points at it; the live index version is unchanged.")


class ProviderError(RagError):
    """The configured LLM provider failed; callers fall back to the extractive answer."""

    status = 502


class MissingDependencyError(RagError):
    def __init__(self, package, extra_hint=""):
        super().__init__(
            f"The Python package '{package}' is required but not installed. "
            f"Run 'make run' (or pip install {package}){extra_hint}."
        )


class IndexCancelled(RagError):
    """An index run stopped at a user's request; the live index is untouched."""

    status = 409

    def __init__(self):
        super().__init__("The index run was cancelled; the previous index is still live.")
