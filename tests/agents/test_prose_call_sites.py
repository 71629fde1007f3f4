"""Every agent's model-written text goes through the prose checks: junk is replaced by the
deterministic wording, and the outcome is recorded as ``data["prose"]``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import Settings
from eval.narration import narration_cases
from eval.scenario_suite.demo import demo_services
from graphs.registry import registered_graphs
from llm.scripted import scripted_model
from memory import HashingEmbeddingFunction
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio
JUNK = "I am confident that the contract is secured. " + "Current year: 2026: 9.91% - " * 6
PLAIN = "This follows from the figures below."
SPECIALISTS = ("budget", "lead_scoring", "relationships", "next_action", "technical_qa")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def services() -> Iterator[AgentServices]:
    settings = Settings(_env_file=None, model="scripted/prose-sites", model_max_retries=0)
    with demo_services(settings, embedding_function=HashingEmbeddingFunction()) as bundle:
        yield bundle


async def _run(services: AgentServices, agent: str, reply: str) -> dict[str, Any]:
    case = narration_cases(services.crm, per_agent=1, agents=(agent,))[0]
    graph = registered_graphs()[agent].build(services=services)
    with scripted_model(rule=lambda _messages: reply):
        state = await graph.ainvoke(case.graph_input())
    return state["recommendation"]


@pytest.mark.parametrize("agent", [*SPECIALISTS, "supervisor"])
async def test_junk_is_replaced_and_recorded(services: AgentServices, agent: str) -> None:
    rec = await _run(services, agent, JUNK)
    prose = rec["data"]["prose"]
    assert prose["status"] == "replaced", prose
    assert any("won deal or signed contract" in p for p in prose["problems"]), prose
    assert prose["shown"] == ""
    assert "contract is secured" not in rec["content"]
    assert "Current year: 2026: 9.91% - Current year" not in rec["content"]


@pytest.mark.parametrize("agent", ["budget", "lead_scoring"])
async def test_sentences_before_the_first_failure_stand(
    services: AgentServices, agent: str
) -> None:
    rec = await _run(services, agent, f"{PLAIN} {JUNK}")
    prose = rec["data"]["prose"]
    assert prose["status"] == "partial", prose
    assert prose["shown"] == PLAIN
    # The kept sentence leads, the deterministic wording follows, the junk is gone.
    assert rec["content"].startswith(PLAIN + "\n\n")
    assert "contract is secured" not in rec["content"]


async def test_a_sound_narration_passes(services: AgentServices) -> None:
    rec = await _run(services, "lead_scoring", PLAIN)
    assert rec["data"]["prose"] == {"status": "passed", "problems": [], "shown": PLAIN}
    assert rec["content"].startswith(PLAIN)
