"""The agent services as the rest of the process reaches them: loaded in the background,
awaited by whoever needs them, and narrowed to the typed parts a caller uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from agents.budget.evidence import BudgetTools
from crm.store import CRMStore
from intake.event_intake import EventIntake
from runtime.service_loader import ServicesLoader


@runtime_checkable
class _HoldsCRM(Protocol):
    crm: CRMStore | None


@runtime_checkable
class _HoldsPricing(Protocol):
    pricing: BudgetTools | None


@dataclass(frozen=True)
class FairnessInputs:
    """What the fairness scan replays: the CRM and the budget agent's pricing tools."""

    crm: CRMStore
    pricing: BudgetTools


class AgentAccess:
    """Hands out the agent services (waiting while they load) and what is built over them once.

    Injected services (tests, benchmarks) may be partial: a part they lack is ``None`` here,
    and the API answers 503 for the routes that need it, as when the CRM is missing.
    """

    def __init__(self, loader: ServicesLoader) -> None:
        self.loader = loader
        self._intake: EventIntake | None = None

    async def services(self) -> Any:
        """The agent services, once loaded; raises ``ServicesUnavailable`` if loading failed."""
        return await self.loader.get()

    async def event_intake(self) -> EventIntake | None:
        """The one event intake of the process, built over the agent services on first use."""
        if self._intake is None:
            services = await self.services()
            if not isinstance(services, _HoldsCRM) or services.crm is None:
                return None
            # No await since the check above: two first requests cannot both build one.
            if self._intake is None:
                self._intake = EventIntake.from_services(services)
        return self._intake

    async def fairness_inputs(self) -> FairnessInputs | None:
        """The CRM and pricing tools the fairness scan needs, if the services hold both."""
        services = await self.services()
        if not isinstance(services, _HoldsCRM) or not isinstance(services, _HoldsPricing):
            return None
        if services.crm is None or services.pricing is None:
            return None
        return FairnessInputs(crm=services.crm, pricing=services.pricing)
