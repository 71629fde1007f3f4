"""The account scope travels in a run's config and the agents' CRM reader reads it back there:
inside a run its config's scope (none without one), outside runs what the caller said."""

from __future__ import annotations

import json
from typing import Any, TypedDict

import pytest
from langgraph.graph import START, StateGraph

from crm.scope import AccountScope
from tools.run_scope import (
    CRM_SCOPE,
    NO_USER,
    RunScope,
    acting_for,
    run_scope_of,
    scope_configurable,
)

EAST = AccountScope(regions=frozenset({"East", "East-North"}), owner_ids=frozenset({"REP-7"}))


class Seen(TypedDict, total=False):
    scope: dict[str, Any]


def _graph_reading(source: RunScope, *, nested: bool = False) -> Any:
    """A graph whose node records the scope ``source`` answers with (optionally from inside a
    subgraph the node invokes without passing a config, as the supervisor does)."""

    def read(_state: Seen) -> Seen:
        return {"scope": source().to_dict()}

    inner = StateGraph(Seen)
    inner.add_node("read", read)
    inner.add_edge(START, "read")
    compiled = inner.compile()
    if not nested:
        return compiled

    async def call_inner(state: Seen) -> Seen:
        result: Seen = await compiled.ainvoke(state)
        return result

    outer = StateGraph(Seen)
    outer.add_node("specialist", call_inner)
    outer.add_edge(START, "specialist")
    return outer.compile()


def test_the_configurable_entries_are_json_and_round_trip() -> None:
    entries = scope_configurable(EAST)
    assert set(entries) == {CRM_SCOPE}
    stored = json.loads(json.dumps({"configurable": entries}))  # as a run's config is kept
    assert run_scope_of(stored) == EAST
    assert run_scope_of(NO_USER) == AccountScope.unrestricted()


def test_a_config_without_a_scope_reads_nothing_unless_told() -> None:
    assert run_scope_of({"configurable": {"thread_id": "t"}}) == AccountScope.nothing()
    assert run_scope_of({}) == AccountScope.nothing()
    assert run_scope_of({}, default=EAST) == EAST


def test_a_malformed_scope_in_a_config_is_an_error_not_a_wider_read() -> None:
    with pytest.raises(ValueError, match="list of names"):
        run_scope_of({"configurable": {CRM_SCOPE: {"regions": "East"}}})


@pytest.mark.anyio
@pytest.mark.parametrize("nested", [False, True])
async def test_inside_a_run_the_reader_follows_the_runs_config(nested: bool) -> None:
    source = RunScope(outside_runs=AccountScope.unrestricted())
    graph = _graph_reading(source, nested=nested)
    scoped = await graph.ainvoke({}, {"configurable": scope_configurable(EAST)})
    assert AccountScope.from_dict(scoped["scope"]) == EAST
    # A run whose config carries no scope reads nothing, whatever holds outside runs.
    with acting_for(AccountScope.unrestricted()):
        bare = await graph.ainvoke({})
    assert AccountScope.from_dict(bare["scope"]) == AccountScope.nothing()


@pytest.mark.anyio
async def test_services_built_for_no_user_may_say_so_for_unscoped_runs() -> None:
    source = RunScope(unscoped_runs=AccountScope.unrestricted())
    bare = await _graph_reading(source).ainvoke({})
    assert AccountScope.from_dict(bare["scope"]) == AccountScope.unrestricted()
    scoped = await _graph_reading(source).ainvoke({}, {"configurable": scope_configurable(EAST)})
    assert AccountScope.from_dict(scoped["scope"]) == EAST


def test_outside_runs_the_builders_scope_or_the_callers() -> None:
    assert RunScope()() == AccountScope.nothing()
    source = RunScope(outside_runs=EAST)
    assert source() == EAST
    with acting_for(AccountScope.unrestricted()):
        assert source() == AccountScope.unrestricted()
    assert source() == EAST
