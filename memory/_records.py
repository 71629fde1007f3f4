"""Turn sections and notes into chunk records: chunk text, Chroma metadata, text to embed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any, TypeVar

from memory.chunking import Chunk, chunk_text
from memory.errors import DuplicateRecord
from memory.models import AccountNote, DocSection

T = TypeVar("T")


@dataclass(frozen=True)
class Record:
    """A chunk as stored (text and metadata) and the text its vector is computed from."""

    chunk: Chunk
    embed_text: str

    def fingerprint(self) -> str:
        """Digest of everything written for this chunk; equal digests mean nothing to rewrite."""
        payload = json.dumps(
            [self.embed_text, self.chunk.text, self.chunk.metadata], sort_keys=True, default=str
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def unique(items: Iterable[T], *, key: Callable[[T], str], what: str) -> list[T]:
    """The items as a list; raises DuplicateRecord if two share a key (their chunk ids would collide)."""
    seen: set[str] = set()
    result = list(items)
    for item in result:
        ident = key(item)
        if ident in seen:
            raise DuplicateRecord(f"{what} {ident!r} appears more than once")
        seen.add(ident)
    return result


def section_records(section: DocSection) -> list[Record]:
    """Records of one section; the embedded text is prefixed with product name and heading.

    The prefix puts the product and topic into every chunk's vector, so a question naming
    either lands near the section even when the chunk body mentions neither.
    """
    metadata: dict[str, Any] = {
        "section_id": section.section_id,
        "document_id": section.document_id,
        "document_title": section.document_title,
        "product_id": section.product_id,
        "product_name": section.product_name,
        "heading": section.heading,
        "ordinal": section.ordinal,
    }
    # Chroma metadata cannot hold None: absent keys read back as None in RetrievedChunk.
    if section.page is not None:
        metadata["page"] = section.page
    prefix = f"{section.product_name}: {section.heading}\n"
    return [Record(chunk, prefix + chunk.text) for chunk in chunk_text(section.body, metadata)]


def note_records(note: AccountNote) -> list[Record]:
    """Records of one account note; naive timestamps are taken as UTC."""
    occurred = note.occurred_at if note.occurred_at.tzinfo else note.occurred_at.replace(tzinfo=UTC)
    metadata: dict[str, Any] = {
        "note_id": note.note_id,
        "account_id": note.account_id,
        "kind": note.kind,
        "occurred_at": occurred.isoformat(),
        # Numeric copy so callers can filter by time with $gte / $lt.
        "occurred_ts": int(occurred.timestamp()),
    }
    if note.contact_id is not None:
        metadata["contact_id"] = note.contact_id
    return [Record(chunk, chunk.text) for chunk in chunk_text(note.text, metadata)]
