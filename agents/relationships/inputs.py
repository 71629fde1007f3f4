"""Reading the graph's input: the as-of time and the rep's message."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_as_of(value: str | None) -> datetime | None:
    """``value`` as an aware UTC datetime; now when empty; None when unreadable."""
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
