"""Chroma memory: product documentation and account notes, embedded locally and searched by meaning."""

from memory.embeddings import HashingEmbeddingFunction, MiniLMEmbeddingFunction
from memory.errors import (
    DuplicateRecord,
    EmbeddingMismatch,
    EmbeddingModelUnavailable,
    InvalidQuery,
    MemoryStoreError,
    MemoryUnavailable,
    UnknownCollection,
)
from memory.models import ACCOUNT_NOTES, PRODUCT_DOCS, AccountNote, DocSection, RetrievedChunk
from memory.store import Memory

__all__ = [
    "ACCOUNT_NOTES",
    "PRODUCT_DOCS",
    "AccountNote",
    "DocSection",
    "DuplicateRecord",
    "EmbeddingMismatch",
    "EmbeddingModelUnavailable",
    "HashingEmbeddingFunction",
    "InvalidQuery",
    "Memory",
    "MemoryStoreError",
    "MemoryUnavailable",
    "MiniLMEmbeddingFunction",
    "RetrievedChunk",
    "UnknownCollection",
]
