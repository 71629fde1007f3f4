"""What the technical Q&A agent needs from ``tools/``: product names and documentation search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class TechnicalQATools(Protocol):
    """The technical Q&A agent's tools (``tools.agent_services.AgentServices`` provides them)."""

    def products_mentioned(self, text: str) -> list[dict[str, str]]:
        """Products named in ``text``: ``product_id`` and ``name`` of each."""
        ...

    def search_documentation(
        self, query: str, *, product_ids: Sequence[str] | None = None, k: int = 5
    ) -> list[dict[str, Any]]:
        """The ``k`` documentation chunks nearest ``query`` (passages as plain dicts)."""
        ...
