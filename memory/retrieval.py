"""Hybrid retrieval: product names in a question become a product filter on the vector search.

Measured (tests/memory/_corpus.py: 8 products in look-alike families such as VitaScan P12 /
P10, 6 topics, 3 documents each, 48 questions like "What is the battery life of the VitaScan
P12?"; top-1 must be that product's section on that topic), all-MiniLM-L6-v2:

- section bodies that say "the device", embedded alone:               6/48
- the same, with this module's product filter:                       47/48
- bodies embedded with "<product name>: <heading>" prefixed (store):   47/48
- prefix and filter together (what the store does):                   47/48, right product 48/48

A model number carries little weight in a sentence embedding, so without the prefix or the
filter the search finds the right topic in the wrong product. The filter makes the product
certain whenever the question names it; the prefix helps when it does not. The one miss is a
mains-only analyser whose "Alarms" section ("low battery") outranks "Battery and power".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_TOKEN = re.compile(r"[a-z0-9]+")
# "P-12" and "P12" name the same model; hyphens inside a word are dropped on both sides.
_INNER_HYPHEN = re.compile(r"(?<=[a-z0-9])[-\u2010\u2011](?=[a-z0-9])")


def normalise(text: str) -> str:
    """Lower-case alphanumeric tokens joined by single spaces, padded so matches are whole words."""
    return " " + " ".join(_TOKEN.findall(_INNER_HYPHEN.sub("", text.lower()))) + " "


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
