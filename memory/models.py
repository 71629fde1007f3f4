"""Inputs to the memory (document sections, account notes) and what a search returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.recommendation import Fact

PRODUCT_DOCS = "product_docs"
ACCOUNT_NOTES = "account_notes"
COLLECTIONS = (PRODUCT_DOCS, ACCOUNT_NOTES)
EMBEDDING_DIM = 384  # all-MiniLM-L6-v2; the hashing test embedding matches it


class DocSection(BaseModel):
    """One section of a product document; chunks never cross a section boundary."""

    model_config = ConfigDict(frozen=True)

    section_id: str = Field(min_length=1)
    document_id: str = Field(min_length=1)
    document_title: str
    product_id: str = Field(min_length=1)
    product_name: str
    heading: str
    page: int | None = None
    ordinal: int = 0
    body: str


class AccountNote(BaseModel):
    """A note about an account: call summary, meeting notes, email digest, rep's remark."""

    model_config = ConfigDict(frozen=True)

    note_id: str = Field(min_length=1)
    account_id: str = Field(min_length=1)
    contact_id: str | None = None
    kind: str = "note"
    occurred_at: datetime
    text: str


class RetrievedChunk(BaseModel):
    """A chunk found by a search, with its similarity and the metadata needed to cite it.

    ``score`` is cosine similarity clipped to [0, 1] (higher is closer). ``relevance`` is what
    results are ordered by: the score plus, for product docs, up to 0.2 for keyword overlap
    (memory.retrieval.rerank); sort by it, not by score, when merging result lists.
    Product-doc chunks fill the document fields, account-note chunks the account fields.
    """

    collection: str
    chunk_id: str
    text: str
    score: float = Field(ge=0.0, le=1.0)
    relevance: float = Field(0.0, ge=0.0)
    chunk_index: int = 0
    # product_docs
    section_id: str | None = None
    document_id: str | None = None
    document_title: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    heading: str | None = None
    page: int | None = None
    # account_notes
    note_id: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    kind: str | None = None
    occurred_at: datetime | None = None

    def as_fact(self) -> Fact:
        """Provenance entry for a recommendation that used this chunk."""
        return Fact(
            source=self.collection,
            record_id=self.chunk_id,
            field="text",
            value=self.text,
            as_of=self.occurred_at,
        )

    @classmethod
    def from_chroma(
        cls, *, collection: str, chunk_id: str, text: str, score: float, metadata: dict[str, Any]
    ) -> RetrievedChunk:
        """Build from one Chroma result row, ignoring metadata keys this model does not know."""
        known = {key: value for key, value in metadata.items() if key in cls.model_fields}
        known.pop("relevance", None)
        return cls(
            collection=collection,
            chunk_id=chunk_id,
            text=text,
            score=score,
            relevance=score,
            **known,
        )
