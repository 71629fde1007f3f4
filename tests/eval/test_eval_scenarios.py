"""The scenario suite's data: the case model, the checked-in files, and their generator."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.scenario_suite import SUITE_VERSION, ScenarioCase, load_suite
from eval.scenario_suite.cases import AGENTS, SCENARIOS_DIR, dump_cases, read_cases
from eval.scenario_suite.generate import generate_cases, suite_texts


def test_checked_in_files_are_the_generators_output_for_the_default_seed() -> None:
    generated = suite_texts()
    assert set(generated) == {f"{agent}.jsonl" for agent in AGENTS}
    for name, text in generated.items():
        assert (SCENARIOS_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} drifted: run python -m eval.scenario_suite.generate"
        )


def test_the_suite_holds_60_labelled_cases_over_every_agent_besides_routing() -> None:
    cases = load_suite()
    generated = [c for c in cases if c.label_source != "hand"]
    assert len(generated) >= 60
    per_agent = Counter(c.agent for c in cases)
    assert set(per_agent) == set(AGENTS) and min(per_agent.values()) >= 10
    assert len({c.id for c in cases}) == len(cases), "case ids are unique"
    routing = [c for c in cases if c.id.startswith("route-")]
    assert len(routing) == 64 and all(c.expected_routes for c in routing)


def test_labels_say_what_a_right_answer_holds() -> None:
    cases = {c.id: c for c in load_suite()}
    lead = cases["lead-ACC-0001"]
    assert lead.equals == {"assessment.stage": "awareness"} and lead.cite == ["ACC-0001"]
    assert lead.ranges[0].path == "assessment.score" and lead.one_of["assessment.grade"] == ["C"]
    budget = cases["budget-ACC-0001"]
    assert budget.ranges[0].low == 5_000_000 and budget.ranges[0].high == 20_000_000
    assert "ACC-0001:2025" in budget.cite  # the latest recorded budget row is a factor source
    assert cases["relationships-ACC-0001"].equals == {"stakeholder_map.decision_maker": "CON-00003"}
    undocumented = [c for c in cases.values() if c.agent == "technical_qa" and c.answered is False]
    documented = [c for c in cases.values() if c.agent == "technical_qa" and c.answered]
    assert len(undocumented) >= 3 and all(len(c.cite) == 2 for c in documented)
    kinds = {k for c in cases.values() if c.agent == "next_action" for k in c.action_kinds}
    assert kinds == {"send_email", "create_task"}


def test_generation_is_deterministic(tmp_path: Path) -> None:
    from eval.scenario_suite.generate import demo_engine

    with demo_engine() as engine:
        once, twice = generate_cases(engine), generate_cases(engine)
    assert {a: dump_cases(c) for a, c in once.items()} == {
        a: dump_cases(c) for a, c in twice.items()
    }


def test_a_case_round_trips_through_jsonl(tmp_path: Path) -> None:
    case = ScenarioCase(
        id="x-1",
        agent="budget",
        input={"account_id": "ACC-0001"},
        cite=["ACC-0001"],
        ranges=[{"path": "analysis.budget.estimate", "low": 1, "high": 2}],
    )
    path = tmp_path / "budget.jsonl"
    path.write_text(dump_cases([case]), encoding="utf-8")
    assert read_cases(path) == [case]
    assert json.loads(path.read_text())["version"] == SUITE_VERSION


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"id": "a", "agent": "budget"}, "needs a question or an input"),
        ({"id": "a", "question": "q", "version": 99}, "version 99"),
        ({"id": "a", "question": "q", "agent": "weather"}, "agent"),
        ({"id": "a", "question": "q", "surprise": 1}, "surprise"),
        ({"id": "", "question": "q"}, "id"),
    ],
)
def test_bad_cases_are_refused_naming_the_line(tmp_path: Path, line: dict, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "ok", "question": "fine"}) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(ValueError, match="bad.jsonl:2") as caught:
        read_cases(path)
    assert problem in str(caught.value)


def test_unknown_agent_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown agent"):
        load_suite(agents=["weather"])
    assert {c.agent for c in load_suite(agents=["budget"])} == {"budget"}
