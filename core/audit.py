"""Where AI decisions are written for audit: implemented by the governance ledger.

Lower layers (tools, agents) and side services append through this protocol, so they never
depend on how the ledger is stored or signed. Payloads hold ids and hashes, never personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class AuditSink(Protocol):
    """An append-only audit log."""

    def append(
        self, kind: str, payload: Mapping[str, Any], *, actor: Mapping[str, Any] | None = None
    ) -> Any:
        """Append one entry of ``kind`` (e.g. ``recommendation``, ``model_call``,
        ``action_decision``, ``subject_erased``) done by ``actor`` (``core.actor``; None: the
        actor of the surrounding work) and return the stored entry."""
        ...
