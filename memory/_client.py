"""Open Chroma: a client (embedded on a folder or over HTTP to a server) and its collections."""

from __future__ import annotations

from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, Embeddable, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings

from core.offline import apply_offline_defaults
from memory.errors import EmbeddingMismatch, MemoryUnavailable


def connect(*, path: Path | None, url: str | None) -> ClientAPI:
    """An embedded client on ``path`` or an HTTP client for a Chroma server at ``url``."""
    apply_offline_defaults()  # Chroma's telemetry also reads the environment.
    settings = ChromaSettings(anonymized_telemetry=False)
    if path is not None:
        Path(path).mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    assert url is not None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"Chroma URL must look like http://host:port, got {url!r}")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 8000)
    try:
        # The client checks the server (tenant and database) as it is made.
        return chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl, settings=settings)
    except ValueError as exc:
        if "could not connect" in str(exc).lower():
            raise MemoryUnavailable(f"no Chroma server answers at {url}") from exc
        raise


def open_collection(
    client: ClientAPI, name: str, embedding_function: EmbeddingFunction[Documents]
) -> Collection:
    """Get or create a cosine-space collection bound to ``embedding_function``.

    Raises EmbeddingMismatch when the collection was built with another embedding function.
    """
    try:
        return client.get_or_create_collection(
            name,
            # Chroma types the parameter over all embeddables; a text-only function is fine here.
            embedding_function=cast("EmbeddingFunction[Embeddable]", embedding_function),
            configuration={"hnsw": {"space": "cosine"}},
        )
    except ValueError as exc:
        # Chroma has no precise class for this conflict; its message names it.
        if "embedding function" in str(exc).lower():
            raise EmbeddingMismatch(
                f"collection {name!r} was built with another embedding function than "
                f"{embedding_function.name()!r}: {exc}"
            ) from exc
        raise
