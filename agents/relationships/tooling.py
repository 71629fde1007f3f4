"""What the relationship mapping agent needs from ``tools/``: the stakeholder tools' shape."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from tools.stakeholders import (
    AccountRef,
    ContactActivity,
    Interaction,
    NoteHit,
    StakeholderContact,
)

if TYPE_CHECKING:
    from agents.subjects import SubjectCRM


class RelationshipsTools(Protocol):
    """The relationship mapping agent's tools (``tools.stakeholders.StakeholderTools``)."""

    @property
    def crm(self) -> SubjectCRM | None:
        """The CRM that resolves "that hospital" in a thread (``agents.subjects``); stand-in
        tools without one resolve names in the message only."""
        ...

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
