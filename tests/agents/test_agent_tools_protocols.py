"""The agent services satisfy every agent's tools protocol.

mypy checks the signatures where the registry hands each agent its view of the services
(``graphs.registry``: ``tools=lambda services: services.pricing`` must return a ``BudgetTools``);
this test checks at run time that every member each protocol declares is there, with the same
parameters, so a member renamed on one side fails here even where mypy does not run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from agents.budget import BudgetTools
from agents.lead_scoring import LeadScoringTools
from agents.next_action import NextActionTools
from agents.relationships import RelationshipsTools
from agents.technical_qa import TechnicalQATools
from graphs.supervisor.tooling import LeadScoreReader, SupervisorTools
from tools.agent_services import AgentServices
from tools.pricing import PricingTools
from tools.stakeholders import StakeholderTools

# protocol -> the class the registry hands that agent (an attribute of AgentServices, or itself).
PROVIDERS: dict[type, type] = {
    TechnicalQATools: AgentServices,
    RelationshipsTools: StakeholderTools,
    LeadScoringTools: AgentServices,
    BudgetTools: PricingTools,
    NextActionTools: AgentServices,
    SupervisorTools: AgentServices,
}


def protocol_members(protocol: type) -> dict[str, Any]:
    """The attributes, properties and methods ``protocol`` declares, by name."""
    members: dict[str, Any] = dict.fromkeys(protocol.__dict__.get("__annotations__", {}))
    for name, value in vars(protocol).items():
        if not name.startswith("_") and (callable(value) or isinstance(value, property)):
            members[name] = value
    return members


def provided(provider: type, name: str) -> bool:
    """Whether instances of ``provider`` have ``name`` (a method, property or instance field)."""
    if hasattr(provider, name):
        return True
    fields = getattr(provider, "__dataclass_fields__", {})
    if name in fields:
        return True
    # Plain classes set their attributes in __init__ (``self.crm = crm``).
    init = provider.__init__
    return inspect.isfunction(init) and f"self.{name} =" in inspect.getsource(init)


def parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    """``function``'s parameters after ``self``."""
    return list(inspect.signature(function).parameters.values())[1:]


def accepts(actual: Callable[..., Any], declared: Callable[..., Any]) -> bool:
    """Whether ``actual`` takes every parameter ``declared`` takes, by the same name and kind,
    and needs no other (extra parameters with defaults are fine, as they are for mypy)."""
    given = {(p.name, p.kind) for p in parameters(declared)}
    own = parameters(actual)
    return given <= {(p.name, p.kind) for p in own} and all(
        p.default is not inspect.Parameter.empty for p in own if (p.name, p.kind) not in given
    )


@pytest.mark.parametrize("protocol", list(PROVIDERS), ids=lambda p: p.__name__)
def test_every_declared_member_is_provided(protocol: type) -> None:
    provider = PROVIDERS[protocol]
    missing = [name for name in protocol_members(protocol) if not provided(provider, name)]
    assert not missing, f"{provider.__name__} lacks {missing} of {protocol.__name__}"


@pytest.mark.parametrize("protocol", list(PROVIDERS), ids=lambda p: p.__name__)
def test_methods_take_the_declared_parameters(protocol: type) -> None:
    provider = PROVIDERS[protocol]
    for name, declared in protocol_members(protocol).items():
        if not inspect.isfunction(declared):
            continue
        assert accepts(getattr(provider, name), declared), f"{provider.__name__}.{name}"


def test_the_supervisors_lead_scores_are_the_stored_ones() -> None:
    from crm.lead_scores import LeadScoreStore

    for name, declared in protocol_members(LeadScoreReader).items():
        assert accepts(getattr(LeadScoreStore, name), declared)
    returned = inspect.signature(AgentServices.lead_scores.func).return_annotation
    assert returned in (LeadScoreStore, "LeadScoreStore")


def test_a_member_missing_from_a_provider_is_reported() -> None:
    class Partial:
        def products_mentioned(self, text: str) -> list[dict[str, str]]:
            return []

    assert not provided(Partial, "search_documentation")
    assert "search_documentation" in protocol_members(TechnicalQATools)

    def narrower(self: object, query: str) -> list[dict[str, Any]]:
        return []

    assert not accepts(narrower, TechnicalQATools.search_documentation)
