"""Query parameters that clients send in more than one spelling.

The Python SDK sends a list as repeated parameters (``?stream_mode=a&stream_mode=b``) and
``None`` as an empty value; other clients send one value, a JSON array (``["a","b"]``) or a
comma-separated list. :func:`flat_values` reads all of them as one list.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

__all__ = ["flat_values"]


def flat_values(raw: Iterable[str] | None) -> list[str]:
    """Every value in ``raw``, with JSON arrays and comma lists split, empty values dropped,
    duplicates removed (first one kept); :class:`ValueError` for a malformed JSON array."""
    values: list[str] = []
    for item in raw or ():
        text = item.strip()
        if text.startswith("["):
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"{text!r} is not a JSON array: {exc}") from None
            if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
                raise ValueError(f"{text!r} must be a JSON array of strings")
            values.extend(parsed)
        else:
            values.extend(part.strip() for part in text.split(","))
    return list(dict.fromkeys(value for value in values if value))
