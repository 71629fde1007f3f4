"""The Chroma memory as a data subject holder: chunks tied to a person or naming them."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import anyio.to_thread

from governance.subject_rights import DataSubject
from memory import Memory, RetrievedChunk
from memory.models import COLLECTIONS

MemorySource = Callable[[], Awaitable[Memory | None]]


class MemorySubjectData:
    """Chunks whose metadata names the contact, or whose text mentions them.

    Erasure deletes them: a chunk is a copy of CRM text, which the CRM holder deletes or
    redacts at the source; indexing the CRM again brings back the redacted version.
    """

    name = "memory"

    def __init__(self, memory: MemorySource) -> None:
        # A source, not a memory: the server's memory loads in the background.
        self._memory = memory

    async def export(self, *, contact: DataSubject) -> list[dict[str, object]]:
        memory = await self._memory()
        if memory is None:
            return []
        chunks = await anyio.to_thread.run_sync(_chunks_of, memory, contact)
        return [chunk.model_dump(mode="json", exclude_none=True) for chunk in chunks]

    async def erase(self, *, contact: DataSubject) -> int:
        memory = await self._memory()
        if memory is None:
            return 0
        return await anyio.to_thread.run_sync(_erase, memory, contact)


def _chunks_of(memory: Memory, contact: DataSubject) -> list[RetrievedChunk]:
    pattern = "(?i)" + "|".join(re.escape(form) for form in contact.identifiers)
    found: dict[tuple[str, str], RetrievedChunk] = {}
    for collection in COLLECTIONS:
        tied = memory.find_chunks(collection, where={"contact_id": contact.contact_id})
        named = memory.find_chunks(collection, where_document={"$regex": pattern})
        for chunk in [*tied, *named]:
            # The regex is a pre-filter; whole-word matching decides.
            if chunk.contact_id == contact.contact_id or contact.mentioned_in(chunk.text):
                found[(collection, chunk.chunk_id)] = chunk
    return list(found.values())


def _erase(memory: Memory, contact: DataSubject) -> int:
    removed = 0
    by_collection: dict[str, list[str]] = {}
    for chunk in _chunks_of(memory, contact):
        by_collection.setdefault(chunk.collection, []).append(chunk.chunk_id)
    for collection, ids in by_collection.items():
        removed += memory.delete_chunks(collection, chunk_ids=ids)
    return removed
