"""What the relationship mapping agent needs from ``tools/``: the stakeholder tools' shape."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tools.stakeholders import (
    AccountRef,
    ContactActivity,
    Interaction,
    NoteHit,
    StakeholderContact,
)


class StakeholderToolsLike(Protocol):
    """What this agent needs from ``tools/`` (tools.stakeholders.StakeholderTools)."""

    def find_account(self, account_id: str) -> AccountRef | None: ...

    def accounts_mentioned(self, text: str) -> list[AccountRef]: ...

    def contacts(self, account_id: str) -> list[StakeholderContact]: ...

    def interactions(
        self, account_id: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Interaction]: ...

    def contact_activity(
        self,
        account_id: str,
        *,
        recent_since: datetime | None = None,
        until: datetime | None = None,
        interactions: list[Interaction] | None = None,
    ) -> dict[str, ContactActivity]: ...

    def search_notes(self, account_id: str, query: str, *, k: int = 5) -> list[NoteHit]: ...
