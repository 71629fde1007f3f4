"""What the supervisor needs from ``tools/``: names in a message, the CRM, stored lead scores."""

from __future__ import annotations

from typing import Protocol

from crm.lead_scores import LeadScoreRecord
from crm.reader import CRMSource
from tools.stakeholders import AccountRef


class LeadScoreReader(Protocol):
    """The newest stored lead score of an account (``crm.lead_scores.LeadScoreStore``)."""

    def latest(
        self, *, account_id: str, contact_id: str | None = None
    ) -> LeadScoreRecord | None: ...


class SupervisorTools(Protocol):
    """The supervisor's tools (``tools.agent_services.AgentServices`` provides them)."""

    @property
    def crm(self) -> CRMSource:
        """The consent-gated CRM: follow-ups' subjects, and an event's account behaviour."""
        ...

    @property
    def lead_scores(self) -> LeadScoreReader:
        """The routes event intake stored, so an event goes where lead scoring sent it."""
        ...

    def products_mentioned(self, text: str) -> list[dict[str, str]]:
        """Products named in ``text`` (a routing signal)."""
        ...

    def accounts_mentioned(self, text: str) -> list[AccountRef]:
        """Accounts named in ``text``: a new subject rather than a follow-up."""
        ...
