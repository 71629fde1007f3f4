"""Documentation tools: which products a text names, and search over their documentation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm.records import ProductRecord
from memory import Memory


@dataclass(frozen=True)
class _Alias:
    product_id: str
    name: str
    pattern: re.Pattern[str]
    length: int


class ProductDirectory:
    """Finds products named in free text by full name, brand + model, or SKU."""

    def __init__(self, products: Sequence[ProductRecord]) -> None:
        # form -> owners, kept apart for exact forms (full name, SKU) and short forms.
        exact: dict[str, set[str]] = {}
        short: dict[str, set[str]] = {}
        names = {product.id: product.name for product in products}
        for product in products:
            for form in (product.name, product.sku):
                exact.setdefault(form.lower(), set()).add(product.id)
            words = product.name.split()
            if len(words) > 2:  # "VitaScan P12" for "VitaScan P12 Portable Ultrasound"
                short.setdefault(" ".join(words[:2]).lower(), set()).add(product.id)
        owners = dict(exact)
        for form, ids in short.items():
            owners.setdefault(form, ids)  # a product's own full name beats another's short form
        aliases = [
            _Alias(
                product_id=next(iter(ids)),
                name=names[next(iter(ids))],
                pattern=re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE),
                length=len(form),
            )
            for form, ids in owners.items()
            if len(ids) == 1  # a form shared by two products names neither
        ]
        # Longer forms first, so "VitaScan P12 Pro" wins over "VitaScan P12".
        self._aliases = sorted(aliases, key=lambda alias: -alias.length)

    def mentioned_in(self, text: str) -> list[dict[str, str]]:
        """Products named in ``text``, in order of first mention, each once."""
        found: dict[str, tuple[int, str]] = {}
        taken: list[tuple[int, int]] = []
        for alias in self._aliases:
            for match in alias.pattern.finditer(text):
                span = match.span()
                if any(start < span[1] and span[0] < end for start, end in taken):
                    continue
                taken.append(span)
                if alias.product_id not in found or span[0] < found[alias.product_id][0]:
                    found[alias.product_id] = (span[0], alias.name)
        ordered = sorted(found.items(), key=lambda item: item[1][0])
        return [{"product_id": pid, "name": name} for pid, (_, name) in ordered]


def search_documentation(
    memory: Memory, query: str, *, product_ids: Sequence[str] | None = None, k: int = 5
) -> list[dict[str, Any]]:
    """Top-``k`` documentation chunks for ``query`` as plain dicts, restricted to ``product_ids``.

    With several products named, each gets its own top-``k`` so one cannot crowd out another.
    """
    if not product_ids:
        chunks = memory.search_product_docs(query, k=k)
    else:
        chunks = [
            chunk
            for product_id in dict.fromkeys(product_ids)
            for chunk in memory.search_product_docs(query, k=k, product_id=product_id)
        ]
        chunks.sort(key=lambda chunk: chunk.relevance, reverse=True)  # keeps the memory's rerank
    return [
        {
            "chunk_id": chunk.chunk_id,
            "text": chunk.text,
            "score": round(chunk.score, 4),
            "relevance": round(chunk.relevance, 4),
            "document_id": chunk.document_id,
            "document_title": chunk.document_title or "",
            "product_id": chunk.product_id,
            "product_name": chunk.product_name or "",
            "heading": chunk.heading or "",
            "page": chunk.page,
            "chunk_index": chunk.chunk_index,
        }
        for chunk in chunks
    ]
