"""Canonical JSON (RFC 8785) and the sha256 digests every governance record is built from."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 serialisation of ``value``: equal data always gives equal bytes."""
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def canonical_sha256(value: Any) -> str:
    """Hex sha256 of the canonical JSON of ``value``."""
    return sha256_hex(canonical_json(value))
