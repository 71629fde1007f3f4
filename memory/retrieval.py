"""Hybrid retrieval for product docs: product names become a filter, keywords rerank the hits.

Two measurements, both with all-MiniLM-L6-v2 and top-1 meaning "the section that states it":

Made-up look-alike catalogue (tests/memory/_corpus.py: VitaScan P12 / P10 and others sharing
headings; bodies say "the device"; 48 questions like "What is the battery life of the
VitaScan P12?"): bodies embedded alone 6/48 (right topic, wrong product); with the product
filter 47/48; with "<product>: <heading>" prefixed to the embedded text 47/48; both plus the
keyword rerank 48/48.

Demo catalogue (crm.demo, 510 sections of 30 products; 557 questions "What is the <spec> of
the <product>?" with the answer's section from crm.demo.catalogue.catalogue_fact): prefix
only 465 top-1 / 541 top-3; prefix + filter 480 / 544; prefix + filter + rerank 529 / 552.
Most remaining misses are "display" questions answered by "Product overview".

A model number carries little weight in a sentence embedding, hence the filter; a specific
section loses to an overview that mentions everything, hence the rerank. The questions are
templated, so the rerank's gain on free-form questions will be smaller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from memory._text import content_words, tokens
from memory.models import RetrievedChunk

# Weights of the keyword overlap added to cosine similarity when reranking; see module docstring.
HEADING_WEIGHT = 0.1
TEXT_WEIGHT = 0.1
STEM_LENGTH = 5  # crude stemming: "alarms"/"alarm", "maintenance"/"maintain" share a prefix


def normalise(text: str) -> str:
    """Lower-case alphanumeric tokens joined by single spaces, padded so matches are whole words."""
    return " " + " ".join(tokens(text)) + " "


class ProductNameIndex:
    """Finds which catalogue products a free-text question names, by name or by id."""

    def __init__(self, names: Mapping[str, str]) -> None:
        """``names`` maps product_id to product_name."""
        exact: dict[str, set[str]] = {}
        short: dict[str, set[str]] = {}
        for product_id, product_name in names.items():
            for form in (product_name, product_id):
                exact.setdefault(normalise(form), set()).add(product_id)
            words = normalise(product_name).split()
            if len(words) > 2:  # "VitaScan P12" for "VitaScan P12 Portable Ultrasound"
                short.setdefault(normalise(" ".join(words[:2])), set()).add(product_id)
        owners = dict(exact)
        for form, ids in short.items():
            owners.setdefault(form, ids)  # a product's own full name beats another's short form
        # A form two products share names neither; longest first so "VitaScan P12 Pro" wins
        # over "VitaScan P12".
        self._aliases = sorted(
            (
                (form, next(iter(ids)))
                for form, ids in owners.items()
                if form.strip() and len(ids) == 1
            ),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self.product_ids = frozenset(names)

    @classmethod
    def from_metadatas(cls, metadatas: Iterable[Mapping[str, Any] | None]) -> ProductNameIndex:
        """Build from the metadata of stored product-doc chunks."""
        names: dict[str, str] = {}
        for metadata in metadatas:
            if metadata and "product_id" in metadata:
                names[str(metadata["product_id"])] = str(metadata.get("product_name") or "")
        return cls(names)

    def __len__(self) -> int:
        return len(self.product_ids)

    def mentioned(self, text: str) -> list[str]:
        """Product ids named in ``text``, in order of first mention; overlapping names count once."""
        haystack = normalise(text)
        taken: list[tuple[int, int]] = []
        found: dict[str, int] = {}
        for alias, product_id in self._aliases:
            start = haystack.find(alias)
            while start != -1:
                # Aliases carry their padding spaces; the span without them is the mention.
                span = (start + 1, start + len(alias) - 1)
                if not any(span[0] < end and begin < span[1] for begin, end in taken):
                    taken.append(span)
                    found[product_id] = min(found.get(product_id, span[0]), span[0])
                start = haystack.find(alias, start + 1)
        return sorted(found, key=found.__getitem__)


def product_filter(product_ids: list[str]) -> dict[str, Any] | None:
    """Chroma ``where`` clause restricting a search to the given products (None for no filter)."""
    if not product_ids:
        return None
    if len(product_ids) == 1:
        return {"product_id": product_ids[0]}
    return {"product_id": {"$in": list(product_ids)}}


def _stems(text: str) -> set[str]:
    return {word[:STEM_LENGTH] for word in content_words(text)}


def rerank(query: str, chunks: list[RetrievedChunk]) -> list[RetrievedChunk]:
    """Order chunks by cosine plus keyword overlap of the query with their heading and text.

    Sets each chunk's ``relevance``; ``score`` stays the cosine similarity. Words of the
    products' names are ignored: once the search is filtered to a product they match everything.
    """
    names: set[str] = set()
    for chunk in chunks:
        names |= _stems(chunk.product_name or "")
    terms = _stems(query) - names
    if not terms:
        return chunks
    ranked = []
    for chunk in chunks:
        heading = len(terms & _stems(chunk.heading or "")) / len(terms)
        text = len(terms & _stems(chunk.text)) / len(terms)
        relevance = chunk.score + HEADING_WEIGHT * heading + TEXT_WEIGHT * text
        ranked.append(chunk.model_copy(update={"relevance": relevance}))
    return sorted(ranked, key=lambda chunk: chunk.relevance, reverse=True)
