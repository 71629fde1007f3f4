"""What may go into a ledger entry: plain JSON with ids and hashes, never text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python

from governance.audit_errors import InvalidAuditPayload
from governance.canonical import canonical_json

MAX_TEXT = 256  # longer strings are prose, i.e. possibly personal data: refused
SUBJECTS_KEY = "contact_ids"


def _check_payload(value: Any, path: str = "payload") -> None:
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise InvalidAuditPayload(
                f"{path} is {len(value)} characters long; the ledger holds ids and hashes "
                f"(at most {MAX_TEXT} characters), never text"
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidAuditPayload(f"{path} is not a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidAuditPayload(f"{path} has a key that is not a string")
            _check_payload(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_payload(item, f"{path}[{index}]")
    elif value is not None and not isinstance(value, (bool, int)):
        raise InvalidAuditPayload(f"{path} holds a {type(value).__name__}, not JSON")


def normalise_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` as plain JSON data, checked: finite numbers, short strings, string keys."""
    try:
        plain = to_jsonable_python(dict(payload))
    except Exception as exc:  # pydantic_core raises its own error types for unknown objects
        raise InvalidAuditPayload(f"payload is not JSON-serialisable: {exc}") from exc
    _check_payload(plain)
    try:
        canonical_json(plain)
    except Exception as exc:  # rfc8785 refuses integers beyond 2**53 and the like
        raise InvalidAuditPayload(f"payload cannot be canonicalised: {exc}") from exc
    return plain


def payload_subjects(payload: Mapping[str, Any]) -> list[str]:
    """The contact ids a payload names (``contact_ids``), sorted and unique."""
    found = payload.get(SUBJECTS_KEY) or []
    if not isinstance(found, list) or not all(isinstance(c, str) and c for c in found):
        raise InvalidAuditPayload(f"payload.{SUBJECTS_KEY} must be a list of contact ids")
    return sorted(set(found))
