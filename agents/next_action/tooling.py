"""What the next best action agent needs from ``tools/``: the CRM and the action writer."""

from __future__ import annotations

from typing import Protocol

from crm.reader import CRMReader
from tools.actions import ActionWriter


class NextActionTools(Protocol):
    """The next best action agent's tools (``tools.agent_services.AgentServices`` provides them)."""

    @property
    def crm(self) -> CRMReader:
        """The consent-gated CRM the account's history is read from."""
        ...

    @property
    def actions(self) -> ActionWriter | None:
        """Writes approved actions; None (stand-in tools) records them in the state only."""
        ...
