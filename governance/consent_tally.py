"""Counting what consent withheld, so an agent can say what it could not see.

The consent gate (``governance.consent_gate``) reports every record it withholds, whole or in part,
to the tallies open in the caller's context. An agent opens one around its reads with
:func:`collect_withheld` and keeps ``tally.as_data()`` (counts only, never the ids or anything
else of the people withheld) for its recommendation (``agents.withheld.note_withheld``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

REASON = "The people concerned have not consented to AI processing (or revoked it)."
# The kind a record is counted under, in plain categories (anything else keeps its own name).
RECORD_KIND = {
    "meeting": "meeting",
    "email_in": "email",
    "email_out": "email",
    "call_answered": "call",
    "call_missed": "call",
    "web_visit": "web_visit",
    "content_download": "download",
    "tender_announcement": "tender",
}


@dataclass
class WithheldTally:
    """What gated reads withheld: people, and records per kind, whole or in part (by id, so a
    record read twice counts once)."""

    people: set[str] = field(default_factory=set)
    whole: dict[str, set[str]] = field(default_factory=dict)
    partial: dict[str, set[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.people or self.whole or self.partial)

    def add_record(self, kind: str, record_id: str, *, whole: bool) -> None:
        target = self.whole if whole else self.partial
        target.setdefault(RECORD_KIND.get(kind, kind), set()).add(record_id)

    def merge(self, other: WithheldTally) -> None:
        self.people |= other.people
        for mine, theirs in ((self.whole, other.whole), (self.partial, other.partial)):
            for kind, ids in theirs.items():
                mine.setdefault(kind, set()).update(ids)

    def as_data(self) -> dict[str, Any] | None:
        """``{"people", "records", "partial", "reason"}`` as counts, or None when nothing was
        withheld. A record withheld whole by one read and in part by another counts as whole."""
        if not self:
            return None
        partial = {k: ids - self.whole.get(k, set()) for k, ids in self.partial.items()}
        return {
            "people": len(self.people),
            "records": {kind: len(ids) for kind, ids in sorted(self.whole.items()) if ids},
            "partial": {kind: len(ids) for kind, ids in sorted(partial.items()) if ids},
            "reason": REASON,
        }


_TALLIES: ContextVar[tuple[WithheldTally, ...]] = ContextVar("withheld_tallies", default=())


@contextmanager
def collect_withheld() -> Iterator[WithheldTally]:
    """Tally what every gated read in this context withholds, threads started inside it too
    (``asyncio.to_thread`` copies the context). Tallies nest: an inner read counts in all."""
    tally = WithheldTally()
    token = _TALLIES.set((*_TALLIES.get(), tally))
    try:
        yield tally
    finally:
        _TALLIES.reset(token)


def report_withheld(tally: WithheldTally) -> None:
    """Add one read's ``tally`` to every tally open in this context."""
    if tally:
        for open_tally in _TALLIES.get():
            open_tally.merge(tally)
