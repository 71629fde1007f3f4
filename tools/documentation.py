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
        aliases: list[_Alias] = []
        for product in products:
            words = product.name.split()
            forms = {product.name, product.sku}
            if len(words) > 2:
                forms.add(" ".join(words[:2]))  # "VitaScan P12" for "VitaScan P12 Portable Ultrasound"
            for form in forms:
                pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
                aliases.append(_Alias(product.id, product.name, pattern, len(form)))
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
        chunks.sort(key=lambda chunk: chunk.score, reverse=True)
    return [
        {
            "chunk_id": chunk.chunk_id,
            "text": chunk.text,
            "score": round(chunk.score, 4),
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
