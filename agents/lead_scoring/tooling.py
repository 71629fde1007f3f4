"""What the lead scoring agent needs from ``tools/``: the CRM it reads behaviour from."""

from __future__ import annotations

from typing import Protocol

from crm.reader import CRMSource


class LeadScoringTools(Protocol):
    """The lead scoring agent's tools (``tools.agent_services.AgentServices`` provides them)."""

    @property
    def crm(self) -> CRMSource:
        """The consent-gated CRM, read through ``tools.behaviour`` and ``agents.subjects``."""
        ...
