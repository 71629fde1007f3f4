"""Fairness: a deal replayed with another region moves logistics factors and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.budget import replay_with_region
from agents.budget.graph import KIND, build_budget_graph
from agents.deps import AgentDeps
from core.settings import Settings
from crm.errors import NotFound
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from tests.support.budget_world import AS_OF, MIXED, World, build_world
from tools.errors import UnknownRegion
from tools.logistics import REGIONS

pytestmark = pytest.mark.anyio
SETTINGS = Settings(_env_file=None, model="scripted/test", model_max_retries=0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    register_providers()
    built = build_world(tmp_path_factory.mktemp("budget-fairness"))
    yield built
    built.engine.dispose()


def deals_with_lines(world: World, count: int) -> list[str]:
    found = []
    for account in world.crm.list_accounts(limit=1000):
        found += [d.id for d in world.crm.deals_for_account(account_id=account.id) if d.lines]
    return sorted(found)[:: max(1, len(found) // count)][:count]


def test_changing_the_region_only_moves_logistics(world: World) -> None:
    deals = deals_with_lines(world, 2) + [MIXED]
    moved = 0
    for deal_id in deals:
        recorded = world.crm.get_deal(deal_id=deal_id).region
        for region in REGIONS:
            replay = replay_with_region(deal_id, region, tools=world.tools, as_of=AS_OF)
            assert replay.region == recorded and replay.replayed_region == region
            assert replay.only_logistics_changed, [
                c for c in replay.changes if c.group != "logistics"
            ]
            prices = [(p.unit_high, p.unit_target, p.unit_low) for p in replay.original.lines]
            assert prices == [
                (p.unit_high, p.unit_target, p.unit_low) for p in replay.replayed.lines
            ]
            assert replay.original.confidence == replay.replayed.confidence
            assert replay.original.budget == replay.replayed.budget
            if region == recorded:
                assert {c.key for c in replay.changes} <= {"logistics.region"}  # only its source
            else:
                keys = {c.key for c in replay.changes}
                assert "logistics.region" in keys
                moved += any(key.endswith("logistics_rate") for key in keys)
    assert moved, "some replay must change a logistics rate, or the test proves nothing"


def test_a_region_replay_names_bad_input(world: World) -> None:
    with pytest.raises(UnknownRegion, match="Atlantis"):
        replay_with_region(MIXED, "Atlantis", tools=world.tools, as_of=AS_OF)
    with pytest.raises(NotFound):
        replay_with_region("DEAL-9999", "East", tools=world.tools, as_of=AS_OF)


async def test_the_graph_prices_a_region_override_the_same_apart_from_logistics(
    world: World,
) -> None:
    graph = build_budget_graph(
        AgentDeps(tools=world.tools, model=chat_model(SETTINGS), model_info=model_info(SETTINGS))
    )
    deal = deals_with_lines(world, 1)[0]
    other = next(r for r in REGIONS if r != world.crm.get_deal(deal_id=deal).region)
    with scripted_model(responses=["x", "x"]):
        plain = await graph.ainvoke({"deal_id": deal, "as_of": AS_OF.isoformat()})
        moved = await graph.ainvoke({"deal_id": deal, "as_of": AS_OF.isoformat(), "region": other})
    before = {f["key"]: f for f in plain["recommendation"]["data"][KIND]["factors"]}
    after = {f["key"]: f for f in moved["recommendation"]["data"][KIND]["factors"]}
    assert before.keys() == after.keys()
    changed = {k for k in before if before[k]["value"] != after[k]["value"]}
    assert changed and all(after[k]["group"] == "logistics" for k in changed)
    assert (
        after["logistics.region"]["source"] == "request"
        and after["logistics.region"]["value"] == other
    )
