"""Scenario cases: plain, versioned, serialisable data (one JSONL file per agent).

A case says what to ask (a question, or the graph input such as an account id), and what a
right answer holds: the routes the supervisor must choose, the record ids the recommendation
must cite, numeric ranges that must contain values of the final graph state, and exact values
(or a set of allowed values) at dotted paths of that state. Labels come from the demo data and
its hidden ground truth (``eval/scenario_suite/generate.py``); ``routing.jsonl`` is written by
hand and predates the other files, so every field but ``id`` has a default.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SUITE_VERSION = 1
SCENARIOS_DIR = Path(__file__).resolve().parents[1] / "scenarios"

Agent = Literal[
    "supervisor", "technical_qa", "lead_scoring", "budget", "relationships", "next_action"
]
AGENTS: tuple[str, ...] = (
    "supervisor",
    "technical_qa",
    "lead_scoring",
    "budget",
    "relationships",
    "next_action",
)


class NumericRange(BaseModel):
    """A value of the final state (dotted ``path``) that must lie in [low, high)."""

    model_config = ConfigDict(extra="forbid")

    path: str
    low: float | None = None
    high: float | None = None
    label: str = Field("", description="What the range stands for, e.g. 'true budget band 1-5M'.")

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


class ScenarioCase(BaseModel):
    """One labelled case: what to ask an agent, and what a right answer holds."""

    model_config = ConfigDict(extra="forbid")

    version: int = SUITE_VERSION
    id: str = Field(min_length=1)
    agent: Agent = "supervisor"
    question: str | None = None
    input: dict[str, Any] = Field(
        default_factory=dict, description="Graph input besides the question."
    )
    expected_routes: list[str] | None = None
    cite: list[str] = Field(default_factory=list, description="Record ids the answer must cite.")
    ranges: list[NumericRange] = Field(default_factory=list)
    equals: dict[str, Any] = Field(default_factory=dict, description="Dotted state path -> value.")
    one_of: dict[str, list[Any]] = Field(
        default_factory=dict, description="Dotted state path -> the values allowed there."
    )
    action_kinds: list[str] = Field(
        default_factory=list, description="Action kinds the recommendation must propose."
    )
    answered: bool | None = Field(
        None, description="Technical Q&A: whether the documentation holds the answer."
    )
    label_source: str = Field("hand", description="Where the labels came from.")

    @model_validator(mode="after")
    def _asks_something(self) -> ScenarioCase:
        if not self.question and not self.input:
            raise ValueError(f"case {self.id!r} needs a question or an input")
        if self.version != SUITE_VERSION:
            raise ValueError(f"case {self.id!r} is version {self.version}, not {SUITE_VERSION}")
        return self

    def graph_input(self) -> dict[str, Any]:
        """What the case's graph is invoked with."""
        payload = dict(self.input)
        if self.question:
            payload["messages"] = [{"role": "user", "content": self.question}]
        return payload


def suite_files(agent: str, folder: Path = SCENARIOS_DIR) -> list[Path]:
    """The JSONL files holding ``agent``'s cases (the supervisor's include the routing cases)."""
    generated = folder / f"{agent}.jsonl"
    return [folder / "routing.jsonl", generated] if agent == "supervisor" else [generated]


def read_cases(path: Path) -> list[ScenarioCase]:
    """Every case in a JSONL file; a bad line raises ``ValueError`` naming the line."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cases.append(ScenarioCase.model_validate(json.loads(line)))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{number}: {exc}") from exc
    return cases


def load_suite(
    *, agents: Iterable[str] | None = None, folder: Path = SCENARIOS_DIR
) -> list[ScenarioCase]:
    """The cases of ``agents`` (default all), in agent order then file order."""
    wanted = list(agents) if agents is not None else list(AGENTS)
    unknown = sorted(set(wanted) - set(AGENTS))
    if unknown:
        raise ValueError(f"unknown agent(s) {unknown}; known: {', '.join(AGENTS)}")
    cases: list[ScenarioCase] = []
    for agent in AGENTS:
        if agent not in wanted:
            continue
        for path in suite_files(agent, folder):
            if path.is_file():
                cases += [c for c in read_cases(path) if c.agent == agent]
    return cases


def dump_cases(cases: Iterable[ScenarioCase]) -> str:
    """JSONL text of ``cases``, stable byte for byte (the generator's output is checked in)."""
    return "".join(
        json.dumps(c.model_dump(mode="json", exclude_defaults=True, exclude={"version"})
                   | {"version": c.version}, sort_keys=True, ensure_ascii=False) + "\n"
        for c in cases
    )  # fmt: skip
