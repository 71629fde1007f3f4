"""Running narration cases and checking, again and on its own, what each one showed.

For each case the agent's recommendation records what became of its model-written text
(``data["prose"]``: passed, partial, replaced or none). The suite does not take that record's
word for it: it checks the shown model text again with :func:`agents.prose.check_text`,
against grounds rebuilt from the recommendation alone (its provenance, the rest of its text,
the question), and requires the shown text to be in the answer. A shown text with any problem
counts as a failure of the suite.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.prose import Grounds, check_text
from core.recommendation import Fact
from eval.narration.cases import AGENTS, NarrationCase
from graphs.registry import registered_graphs
from tools.run_scope import NO_USER

log = logging.getLogger(__name__)

STATUSES = ("passed", "partial", "replaced", "none")


@dataclass
class NarrationResult:
    """What one case's agent showed, and whether it stands a second check."""

    case_id: str
    agent: str
    question: str
    status: str = "none"
    problems: list[str] = field(default_factory=list)  # the agent's own check
    shown: str = ""  # the model-written text shown to the rep
    shown_problems: list[str] = field(default_factory=list)  # the suite's second check
    error: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class AgentSummary:
    agent: str
    generated: int = 0
    passed: int = 0
    partial: int = 0
    replaced: int = 0
    none: int = 0
    errors: int = 0
    shown_failing: int = 0

    @property
    def pass_rate(self) -> float | None:
        written = self.passed + self.partial + self.replaced
        return self.passed / written if written else None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "pass_rate": self.pass_rate}


@dataclass
class NarrationReport:
    model: str
    results: list[NarrationResult] = field(default_factory=list)
    seconds: float = 0.0

    def summaries(self) -> list[AgentSummary]:
        by_agent = {a: AgentSummary(a) for a in AGENTS if any(r.agent == a for r in self.results)}
        for result in self.results:
            summary = by_agent[result.agent]
            if result.error:
                summary.errors += 1
                continue
            summary.generated += 1
            setattr(summary, result.status, getattr(summary, result.status) + 1)
            summary.shown_failing += bool(result.shown_problems)
        return list(by_agent.values())

    @property
    def shown_failing(self) -> int:
        return sum(s.shown_failing for s in self.summaries())

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "narrations": sum(s.generated for s in self.summaries()),
            "shown_failing": self.shown_failing,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "agents": [s.as_dict() for s in self.summaries()],
            "results": [r.as_dict() for r in self.results],
        }


async def run_narrations(
    cases: Sequence[NarrationCase],
    *,
    services: Any,
    progress: Callable[[int, int], None] | None = None,
) -> NarrationReport:
    """Run ``cases`` one after another through the registered graphs over ``services``."""
    specs = registered_graphs()
    graphs: dict[str, Any] = {}
    report = NarrationReport(model=services.model_info.name)
    started = time.perf_counter()
    for number, case in enumerate(cases, 1):
        if case.agent not in graphs:
            graphs[case.agent] = specs[case.agent].build(services=services)
        report.results.append(await run_narration(case, graphs[case.agent]))
        if progress is not None:
            progress(number, len(cases))
    report.seconds = time.perf_counter() - started
    return report


async def run_narration(case: NarrationCase, graph: Any) -> NarrationResult:
    """Invoke ``graph`` for ``case``; read the prose record and check the shown text again."""
    result = NarrationResult(case.id, case.agent, case.question)
    started = time.perf_counter()
    try:
        state = await graph.ainvoke(case.graph_input(), NO_USER)
    except Exception as error:  # a failing case is reported, and the suite goes on
        log.warning("narration %s failed: %s", case.id, error)
        result.error = f"{type(error).__name__}: {error}"
        return result
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
    recommendation = state.get("recommendation") or {}
    prose = (recommendation.get("data") or {}).get("prose") or {}
    result.status = prose.get("status", "none")
    result.problems = list(prose.get("problems", []))
    result.shown = str(prose.get("shown", ""))
    result.shown_problems = recheck(result.shown, recommendation, case.question)
    if result.status not in STATUSES:
        result.shown_problems.append(f"unknown prose status {result.status!r}")
    return result


def recheck(shown: str, recommendation: Mapping[str, Any], question: str) -> list[str]:
    """Problems of ``shown`` against grounds rebuilt from ``recommendation`` alone."""
    if not shown.strip():
        return []
    content = str(recommendation.get("content", ""))
    problems = [] if _inside(shown, content) else ["the shown text is not in the answer"]
    rest = content
    for part in shown.split("\n\n"):
        rest = rest.replace(part.strip(), " ") if part.strip() else rest
    facts = [Fact.model_validate(f) for f in recommendation.get("provenance", [])]
    grounds = Grounds.of([*facts, rest], question=question)
    return problems + check_text(shown, grounds)


def _inside(shown: str, content: str) -> bool:
    """Every shown paragraph is in the answer (the supervisor's joins several)."""
    return all(part.strip() in content for part in shown.split("\n\n") if part.strip())
