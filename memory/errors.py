"""Precise exceptions raised by the memory layer."""

from __future__ import annotations


class MemoryStoreError(Exception):
    """Base class of every error the memory layer raises on purpose."""

    code = "memory_error"


class InvalidQuery(MemoryStoreError, ValueError):
    """A search was asked with an empty or malformed query or filter."""

    code = "invalid_query"


class UnknownCollection(MemoryStoreError, ValueError):
    """A collection name that is not one of the memory's collections."""

    code = "unknown_collection"


class EmbeddingModelUnavailable(MemoryStoreError, RuntimeError):
    """The local embedding model could not be found or loaded (offline, nothing downloads)."""

    code = "embedding_model_unavailable"


class DuplicateRecord(MemoryStoreError, ValueError):
    """The same section or note id appeared twice in one indexing call."""

    code = "duplicate_record"


class EmbeddingMismatch(MemoryStoreError, ValueError):
    """The store was opened with a different embedding function than the one it was built with."""

    code = "embedding_mismatch"


class MemoryUnavailable(MemoryStoreError, ConnectionError):
    """The Chroma server at the configured URL did not answer."""

    code = "memory_unavailable"
