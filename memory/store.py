"""The Chroma memory: product documentation and account notes, embedded locally.

Every method blocks (embedding on CPU, Chroma's SQLite or HTTP). Async callers run them in a
worker thread: ``await asyncio.to_thread(memory.search_product_docs, question)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, WhereDocument

from core.settings import Settings
from memory._client import connect, open_collection
from memory._records import Record, note_records, section_records, unique
from memory.embeddings import MiniLMEmbeddingFunction
from memory.errors import InvalidQuery, UnknownCollection
from memory.models import (
    ACCOUNT_NOTES,
    COLLECTIONS,
    PRODUCT_DOCS,
    AccountNote,
    DocSection,
    RetrievedChunk,
)
from memory.retrieval import ProductNameIndex, product_filter, rerank

logger = logging.getLogger(__name__)

BATCH_SIZE = 256
# Metadata key holding a digest of each chunk's content, so re-indexing skips unchanged chunks.
FINGERPRINT = "fingerprint"
MIN_K, MAX_K = 1, 50
MAX_CANDIDATES = 200  # vector hits handed to the keyword rerank
Progress = Callable[[int, int], None]


class Memory:
    """Product docs and account notes in two cosine-space Chroma collections.

    Open it embedded (``path``) or against a Chroma server (``url``). The embedding function
    defaults to the bundled MiniLM model; tests may pass ``HashingEmbeddingFunction()``. A store
    must be reopened with the embedding function it was built with (``EmbeddingMismatch``).
    """

    def __init__(
        self,
        *,
        path: Path | None = None,
        url: str | None = None,
        embedding_function: EmbeddingFunction[Documents] | None = None,
    ) -> None:
        if (path is None) == (url is None):
            raise ValueError("Memory needs exactly one of path= (embedded) or url= (server)")
        self._ef: EmbeddingFunction[Documents] = embedding_function or MiniLMEmbeddingFunction()
        self._client = connect(path=path, url=url)
        self._collections = {
            name: open_collection(self._client, name, self._ef) for name in COLLECTIONS
        }
        self._names: ProductNameIndex | None = None
        self._names_count = -1

    @classmethod
    def from_settings(
        cls, settings: Settings, *, embedding_function: EmbeddingFunction[Documents] | None = None
    ) -> Memory:
        """The memory the settings describe: the Chroma server if ``chroma_url`` is set, else embedded."""
        if settings.chroma_url:
            return cls(url=settings.chroma_url, embedding_function=embedding_function)
        return cls(path=settings.resolved_chroma_path, embedding_function=embedding_function)

    def _collection(self, name: str) -> Collection:
        try:
            return self._collections[name]
        except KeyError:
            raise UnknownCollection(
                f"unknown collection {name!r}; known: {', '.join(COLLECTIONS)}"
            ) from None

    # -- product docs -------------------------------------------------------------------------

    def index_product_docs(
        self, sections: Iterable[DocSection], *, progress: Progress | None = None
    ) -> int:
        """Chunk, embed and upsert sections; returns how many chunks they make up.

        Chunk ids are ``"{section_id}#{chunk_index}"``, so indexing the same sections again
        is idempotent: unchanged chunks are skipped (not re-embedded), changed ones
        overwritten, and chunks left over from a longer earlier version removed.
        """
        items = unique(sections, key=lambda section: section.section_id, what="section_id")
        chunked = [(section.section_id, section_records(section)) for section in items]
        written = self._write(self._collection(PRODUCT_DOCS), "section_id", chunked, progress)
        self._names = None
        return written

    def search_product_docs(
        self, query: str, *, k: int = 5, product_id: str | None = None
    ) -> list[RetrievedChunk]:
        """The ``k`` most relevant chunks: vector search, then a keyword rerank of the candidates.

        A product named in the query restricts the search to it; an explicit ``product_id``
        wins over names found in the query. Results are ordered by ``relevance``.
        """
        text, k = _check_query(query, k)
        if product_id is not None:
            where = product_filter([product_id])
        else:
            where = product_filter(self._product_names().mentioned(text))
        candidates = self._query(PRODUCT_DOCS, text, min(MAX_CANDIDATES, max(k * 4, 20)), where)
        return rerank(text, candidates)[:k]

    def _product_names(self) -> ProductNameIndex:
        collection = self._collection(PRODUCT_DOCS)
        # Another process (the seed CLI) may index while we run: rebuild when the count moves.
        count = collection.count()
        if self._names is None or count != self._names_count:
            metadatas = collection.get(include=["metadatas"])["metadatas"] or []
            self._names = ProductNameIndex.from_metadatas(metadatas)
            self._names_count = count
        return self._names

    # -- account notes ------------------------------------------------------------------------

    def index_account_notes(
        self, notes: Iterable[AccountNote], *, progress: Progress | None = None
    ) -> int:
        """Chunk, embed and upsert notes (ids ``"{note_id}#{chunk_index}"``); returns their chunk count.

        Idempotent like :meth:`index_product_docs`.
        """
        items = unique(notes, key=lambda note: note.note_id, what="note_id")
        chunked = [(note.note_id, note_records(note)) for note in items]
        return self._write(self._collection(ACCOUNT_NOTES), "note_id", chunked, progress)

    def search_account_notes(
        self,
        query: str,
        *,
        account_id: str | None = None,
        k: int = 5,
        exclude_contacts: Sequence[str] = (),
        exclude_text: Sequence[str] = (),
        accounts: Sequence[str] | None = None,
    ) -> list[RetrievedChunk]:
        """The ``k`` note chunks closest to ``query``, optionally only one account's, never
        chunks tied to a contact in ``exclude_contacts`` nor chunks whose text contains one of
        ``exclude_text`` as a whole word, ignoring case (Chroma filters both out).

        ``accounts`` are the accounts the reader may see (their scope; every account when
        None): Chroma leaves out every other account's chunks, and none at all is no hit."""
        text, k = _check_query(query, k)
        if accounts is not None and not accounts:
            return []
        clauses: list[dict[str, Any]] = []
        if account_id is not None:
            clauses.append({"account_id": account_id})
        if accounts is not None:
            clauses.append({"account_id": {"$in": sorted(set(accounts))}})
        if exclude_contacts:  # $nin keeps chunks that name no contact at all
            clauses.append({"contact_id": {"$nin": sorted(set(exclude_contacts))}})
        where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
        return self._query(ACCOUNT_NOTES, text, k, where, _not_naming(exclude_text))

    # -- maintenance --------------------------------------------------------------------------

    def delete(self, collection: str, *, where: dict[str, Any]) -> int:
        """Delete the chunks matching a Chroma ``where`` filter; returns how many went.

        An empty filter is refused rather than read as "everything".
        """
        target = self._collection(collection)
        if not where:
            raise InvalidQuery("delete needs a non-empty where filter")
        try:
            ids = target.get(where=where, include=[])["ids"]
        except ValueError as exc:
            raise InvalidQuery(f"invalid where filter {where!r}: {exc}") from exc
        step = self._client.get_max_batch_size()
        for start in range(0, len(ids), step):
            target.delete(ids=ids[start : start + step])
        if collection == PRODUCT_DOCS:
            self._names = None
        return len(ids)

    def find_chunks(
        self,
        collection: str,
        *,
        where: dict[str, Any] | None = None,
        where_document: WhereDocument | None = None,
    ) -> list[RetrievedChunk]:
        """Every chunk matching metadata and/or document filters, unranked (score 0).

        For exports and erasure, not search: at least one filter is required.
        """
        if not where and not where_document:
            raise InvalidQuery("find_chunks needs a where or where_document filter")
        try:
            found = self._collection(collection).get(
                where=where, where_document=where_document, include=["documents", "metadatas"]
            )
        except ValueError as exc:
            raise InvalidQuery(f"invalid filter {where!r} / {where_document!r}: {exc}") from exc
        return [
            RetrievedChunk.from_chroma(
                collection=collection,
                chunk_id=chunk_id,
                text=document or "",
                score=0.0,
                metadata=dict(metadata or {}),
            )
            for chunk_id, document, metadata in zip(
                found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True
            )
        ]

    def delete_chunks(self, collection: str, *, chunk_ids: Sequence[str]) -> int:
        """Delete chunks by id (one call: Chroma applies it as one write); how many existed."""
        if not chunk_ids:
            return 0
        target = self._collection(collection)
        existing = target.get(ids=list(chunk_ids), include=[])["ids"]
        if existing:
            target.delete(ids=existing)
        if collection == PRODUCT_DOCS:
            self._names = None
        return len(existing)

    def count(self, collection: str) -> int:
        """Number of chunks in a collection."""
        return self._collection(collection).count()

    # -- internals ----------------------------------------------------------------------------

    def _write(
        self,
        collection: Collection,
        owner_key: str,
        chunked: list[tuple[str, list[Record]]],
        progress: Progress | None,
    ) -> int:
        """Upsert chunks in batches of whole owners (sections/notes), dropping stale chunk ids."""
        total = sum(len(chunks) for _, chunks in chunked)
        done = 0
        if progress is not None:
            progress(0, total)
        batch: list[tuple[str, list[Record]]] = []
        pending = 0
        for owner, records in chunked:
            batch.append((owner, records))
            pending += len(records)
            # Owners are capped too: empty sections add no chunks but widen the $in filter.
            if pending >= BATCH_SIZE or len(batch) >= BATCH_SIZE:
                done += self._write_batch(collection, owner_key, batch)
                batch, pending = [], 0
                if progress is not None:
                    progress(done, total)
        if batch:
            done += self._write_batch(collection, owner_key, batch)
            if progress is not None:
                progress(done, total)
        logger.info("indexed %d chunks into %s", done, collection.name)
        return done

    def _write_batch(
        self, collection: Collection, owner_key: str, batch: list[tuple[str, list[Record]]]
    ) -> int:
        """Write one batch; chunks whose fingerprint is unchanged are not embedded again."""
        owners = [owner for owner, _ in batch]
        records = {
            f"{owner}#{record.chunk.index}": record for owner, owned in batch for record in owned
        }
        existing = collection.get(where=_owner_filter(owner_key, owners), include=["metadatas"])
        stored = {
            chunk_id: (metadata or {}).get(FINGERPRINT)
            for chunk_id, metadata in zip(existing["ids"], existing["metadatas"] or [], strict=True)
        }
        stale = sorted(set(stored) - set(records))
        if stale:
            collection.delete(ids=stale)
        fingerprints = {chunk_id: record.fingerprint() for chunk_id, record in records.items()}
        changed = [
            chunk_id for chunk_id in records if stored.get(chunk_id) != fingerprints[chunk_id]
        ]
        if changed:
            collection.upsert(
                ids=changed,
                embeddings=self._embed([records[chunk_id].embed_text for chunk_id in changed]),
                documents=[records[chunk_id].chunk.text for chunk_id in changed],
                metadatas=[
                    {**records[chunk_id].chunk.metadata, FINGERPRINT: fingerprints[chunk_id]}
                    for chunk_id in changed
                ],
            )
        return len(records)

    def _embed(self, texts: list[str]) -> list[Any]:
        """Vectors for ``texts``, each distinct text embedded once (templated notes repeat)."""
        distinct = list(dict.fromkeys(texts))
        vectors = dict(zip(distinct, self._ef(distinct), strict=True))
        return [vectors[text] for text in texts]

    def _query(
        self,
        collection: str,
        text: str,
        k: int,
        where: dict[str, Any] | None,
        where_document: WhereDocument | None = None,
    ) -> list[RetrievedChunk]:
        target = self._collection(collection)
        result = target.query(
            query_embeddings=self._ef([text]),
            n_results=k,
            where=where,
            where_document=where_document,
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        return [
            RetrievedChunk.from_chroma(
                collection=collection,
                chunk_id=chunk_id,
                text=document or "",
                score=distance_to_score(distance),
                metadata=dict(metadata or {}),
            )
            for chunk_id, document, metadata, distance in zip(
                ids, documents, metadatas, distances, strict=True
            )
        ]


def distance_to_score(distance: float) -> float:
    """Chroma's cosine distance (1 - cos, in [0, 2]) as similarity clipped to [0, 1]."""
    return min(1.0, max(0.0, 1.0 - float(distance)))


def _check_query(query: str, k: int) -> tuple[str, int]:
    if not isinstance(query, str) or not query.strip():
        raise InvalidQuery("query must be a non-empty string")
    return query.strip(), min(MAX_K, max(MIN_K, int(k)))


def _not_naming(forms: Sequence[str]) -> WhereDocument | None:
    """Chroma document filter: the text contains none of ``forms`` as a whole word (any case)."""
    wanted = sorted({form.strip() for form in forms if form.strip()}, key=len, reverse=True)
    if not wanted:
        return None
    alternatives = "|".join(re.escape(form) for form in wanted)
    return {"$not_regex": rf"(?i)(?:^|\W)(?:{alternatives})(?:\W|$)"}


def _owner_filter(owner_key: str, owners: Sequence[str]) -> dict[str, Any]:
    if len(owners) == 1:
        return {owner_key: owners[0]}
    return {owner_key: {"$in": list(owners)}}
