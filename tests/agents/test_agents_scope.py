"""Asked about an account outside the user's scope, the supervisor and every specialist that
reads accounts answer exactly as for an account that does not exist.

Each graph runs twice within the same scope (one region, carried in the run's config as the
API puts it there): once about an account of another region, once about an unknown id; the
two outcomes must be the same once the one id is swapped for the other. The technical Q&A
agent reads only the catalogue (products, documentation), which no scope limits.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from crm.records import AccountRecord
from crm.scope import AccountScope
from graphs.registry import registered_graphs
from llm.scripted import scripted_model
from tools.agent_services import AgentServices
from tools.run_scope import scope_configurable

pytestmark = pytest.mark.anyio

UNKNOWN_ID = "ACC-9999"
UNKNOWN_NAME = "Atlantis Memorial Hospital"
ACCOUNT_AGENTS = ("lead_scoring", "budget", "relationships", "next_action", "supervisor")
_threads = itertools.count(1)


@pytest.fixture(scope="module")
def hidden(services: AgentServices) -> tuple[AccountRecord, AccountScope]:
    """An account, and a scope (another region) that leaves it out."""
    accounts = services.crm.ungated.list_accounts(limit=1000)
    target = accounts[0]
    region = next(a.region for a in accounts if a.region != target.region)
    return target, AccountScope(regions=frozenset({region}))


async def _outcome(graph: Any, graph_input: dict[str, Any], scope: AccountScope) -> Any:
    """What a rep gets: the last message, the problem, whether a recommendation or an
    approval came back (ids and times differ between runs, so they are left out)."""
    config = {"configurable": {"thread_id": f"scope-{next(_threads)}", **scope_configurable(scope)}}
    try:
        with scripted_model():
            state = await graph.ainvoke(graph_input, config)
    except Exception as error:  # an agent that raises must raise the same for both
        return ("raised", type(error).__name__, str(error))
    messages = state.get("messages") or []
    return {
        "reply": messages[-1].content if messages else None,
        "problem": state.get("problem"),
        "recommendation": state.get("recommendation") is not None,
        "interrupted": bool(state.get("__interrupt__")),
    }


def _swap(outcome: Any, old: str, new: str) -> Any:
    """``outcome`` with ``old`` written as ``new`` (case as written) in every string."""
    pattern = re.compile(re.escape(old), re.IGNORECASE)
    if isinstance(outcome, str):
        return pattern.sub(new, outcome)
    if isinstance(outcome, dict):
        return {key: _swap(value, old, new) for key, value in outcome.items()}
    if isinstance(outcome, list | tuple):
        return type(outcome)(_swap(value, old, new) for value in outcome)
    return outcome


def _graph(services: AgentServices, agent: str) -> Any:
    return registered_graphs()[agent].build(services=services, checkpointer=InMemorySaver())


@pytest.mark.parametrize("agent", ACCOUNT_AGENTS)
async def test_an_account_outside_the_scope_is_answered_as_an_unknown_id(
    services: AgentServices, hidden: tuple[AccountRecord, AccountScope], agent: str
) -> None:
    target, scope = hidden
    graph = _graph(services, agent)
    outside = await _outcome(graph, {"account_id": target.id}, scope)
    unknown = await _outcome(graph, {"account_id": UNKNOWN_ID}, scope)
    assert _swap(outside, target.id, UNKNOWN_ID) == unknown
    # And the same account is found by a run whose scope admits it.
    seen = await _outcome(graph, {"account_id": target.id}, AccountScope.unrestricted())
    assert seen != outside


@pytest.mark.parametrize("agent", ACCOUNT_AGENTS)
async def test_an_account_named_outside_the_scope_is_answered_as_an_unknown_name(
    services: AgentServices, hidden: tuple[AccountRecord, AccountScope], agent: str
) -> None:
    target, scope = hidden
    graph = _graph(services, agent)

    def asking(name: str) -> dict[str, Any]:
        return {"messages": [HumanMessage(content=f"Who should I call next at {name}?")]}

    outside = await _outcome(graph, asking(target.name), scope)
    unknown = await _outcome(graph, asking(UNKNOWN_NAME), scope)
    assert _swap(outside, target.name, UNKNOWN_NAME) == unknown
    seen = await _outcome(graph, asking(target.name), AccountScope.unrestricted())
    assert seen != outside, "the agent does not read the account by name: a useless case"


async def test_a_run_without_a_scope_reads_no_account(
    services: AgentServices, hidden: tuple[AccountRecord, AccountScope]
) -> None:
    """The API always writes a scope; a run whose config lacks one fails closed."""
    target, _ = hidden
    graph = _graph(services, "lead_scoring")
    nothing = await _outcome(graph, {"account_id": target.id}, AccountScope.nothing())
    unknown = await _outcome(graph, {"account_id": UNKNOWN_ID}, AccountScope.nothing())
    assert _swap(nothing, target.id, UNKNOWN_ID) == unknown


def test_the_win_model_is_fitted_on_every_account_whoever_asks_first(
    services: AgentServices,
) -> None:
    """One model per database, cached: a narrow first caller must not shape everyone's."""
    from agents.lead_scoring.win_model import forget_win_models, win_model_for
    from tools.run_scope import acting_for

    forget_win_models()
    try:
        with acting_for(AccountScope.nothing()):
            first_by_nobody = win_model_for(services.crm)
        forget_win_models()
        first_by_everyone = win_model_for(services.crm)  # outside runs: every account
    finally:
        forget_win_models()
    assert first_by_nobody.deals == first_by_everyone.deals > 0
    assert first_by_nobody.weights == first_by_everyone.weights
