"""The narration suite: cases from the demo, the agents' prose records, the second check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings
from eval.narration import AGENTS, narration_cases, recheck, run_narrations
from eval.scenario_suite.demo import demo_services
from llm.gateway import chat_model, model_info
from llm.messages import Messages
from llm.scripted import default_reply, scripted_model
from memory import HashingEmbeddingFunction
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio
JUNK = "I am confident that the contract is secured. Send the price list for BAC-0156."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def services() -> Iterator[AgentServices]:
    settings = Settings(_env_file=None, model="scripted/narration", model_max_retries=0)
    with demo_services(settings, embedding_function=HashingEmbeddingFunction()) as bundle:
        yield bundle


def test_cases_cover_every_agent_and_ask_some_in_chinese(services: AgentServices) -> None:
    cases = narration_cases(services.crm, per_agent=5)
    assert [c.agent for c in cases] == [a for a in AGENTS for _ in range(5)]
    assert len({c.id for c in cases}) == len(cases)
    chinese = [c for c in cases if c.language == "zh"]
    assert chinese and all(any("\u4e00" <= ch <= "\u9fff" for ch in c.question) for c in chinese)
    with pytest.raises(ValueError, match="unknown agent"):
        narration_cases(services.crm, agents=("oracle",))


def test_the_second_check_reads_the_recommendation_alone() -> None:
    rec: dict[str, Any] = {
        "content": "Anzhen Hospital grows by 9.91%.\n\nBudget for Anzhen Hospital (ACC-0156).",
        "provenance": [
            {"source": "budgets", "record_id": "ACC-0156:2026", "field": "growth", "value": 9.91}
        ],
    }
    assert recheck("Anzhen Hospital grows by 9.91%.", rec, "Budget for Anzhen?") == []
    assert recheck("", rec, "q") == []
    assert recheck("A text the answer lacks.", rec, "q") == ["the shown text is not in the answer"]
    invented = {**rec, "content": rec["content"] + "\n\nSee BAC-0156."}
    assert any("BAC-0156" in p for p in recheck("See BAC-0156.", invented, "q"))


def _junk_every_other_call() -> Any:
    calls = {"n": 0}

    def rule(messages: Messages) -> str:
        calls["n"] += 1
        return JUNK if calls["n"] % 2 else default_reply(messages)

    return rule


async def test_junk_is_replaced_and_no_shown_text_fails(services: AgentServices) -> None:
    cases = narration_cases(services.crm, per_agent=2)
    with scripted_model(rule=_junk_every_other_call()):
        report = await run_narrations(cases, services=services)
    assert report.errors == 0, [r.error for r in report.results if r.error]
    summaries = {s.agent: s for s in report.summaries()}
    assert set(summaries) == set(AGENTS)
    assert all(s.generated == 2 for s in summaries.values())
    assert report.shown_failing == 0
    for result in report.results:
        assert JUNK not in result.shown and "BAC-0156" not in result.shown
    replaced = [r for r in report.results if r.status == "replaced"]
    assert replaced, [r.status for r in report.results]
    assert all(r.problems for r in replaced)
    assert any("won deal or signed contract" in p for r in replaced for p in r.problems)


def test_the_command_prints_the_report_as_json() -> None:
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "narration",
            "--model",
            "scripted/narration-cli",
            "--agent",
            "relationships",
            "--per-agent",
            "2",
            "--hashing-embeddings",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["narrations"] == 2 and report["shown_failing"] == 0
    assert [a["agent"] for a in report["agents"]] == ["relationships"]
    bad = CliRunner().invoke(
        app, ["eval", "narration", "--agent", "oracle", "--hashing-embeddings"]
    )
    assert bad.exit_code != 0 and "unknown agent" in bad.output


@pytest.mark.slow
async def test_the_embedded_model_shows_no_failing_text(services: AgentServices) -> None:
    """A few real narrations with the default embedded model: whatever it writes, what is
    shown passes the second check. The module's demo CRM and memory serve it too (the same
    seed and scale; only the model differs), so no second demo is seeded and indexed."""
    embedded = services.settings.model_copy(
        update={"model": Settings(_env_file=None).model, "model_max_retries": 0}
    )
    bundle = replace(
        services,
        settings=embedded,
        chat_model=chat_model(embedded),
        model_info=model_info(embedded),
        _closers=[],  # the module's services own the engine
    )
    cases = narration_cases(bundle.crm, per_agent=1, agents=("budget", "technical_qa"))
    report = await run_narrations(cases, services=bundle)
    assert report.model == Settings(_env_file=None).model
    assert report.errors == 0, [r.error for r in report.results if r.error]
    assert len(report.results) == 2 and report.shown_failing == 0
    assert all(r.status in ("passed", "partial", "replaced", "none") for r in report.results)
