"""Run scenario cases through the registered graphs and score what comes back.

Each case runs through the graph ``graphs/registry.py`` builds for its agent, from the services
given (so with whatever model they carry). A case passes when every label holds: the route, the
ids to cite, the numeric ranges, the exact and allowed values, the proposed action kinds, and
(technical Q&A) whether an answer was found. Separately, every recommendation produced is
checked for the three properties of ``checks.py``. A case that raises is an error, not a miss.

Each case also keeps the confidence of the recommendation it ended with, so that the suite can
say whether confidence tracks correctness: per agent, the area under the ROC curve of that
confidence against the case passing its labels (``confidence_auroc``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.technical_qa.graph import NOT_FOUND_TEXT
from eval.scenario_suite.cases import AGENTS, ScenarioCase
from eval.scenario_suite.checks import (
    RecordResolver,
    Violation,
    check_recommendation,
    recommendations_in,
)
from graphs.registry import registered_graphs
from tools.run_scope import NO_USER

log = logging.getLogger(__name__)

_MISSING = object()
# Cases in flight at once: enough to overlap one case's waits on worker threads with another's
# work on two cores, few enough that SQLite's writers rarely queue behind each other.
CONCURRENT_CASES = 4


@dataclass
class CaseResult:
    """How one case went: each label's verdict, the property violations, or the error."""

    case_id: str
    agent: str
    failures: list[str] = field(default_factory=list)
    route_ok: bool | None = None
    cited: int = 0
    to_cite: int = 0
    range_hits: int = 0
    ranges: int = 0
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    confidence: float | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "agent": self.agent,
            "passed": self.passed,
            "failures": self.failures,
            "error": self.error,
            "violations": [v.as_dict() for v in self.violations],
            "confidence": self.confidence,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class AgentScore:
    """One agent's scores over its cases (None where no case of it has that label)."""

    agent: str
    cases: int
    passed: int
    errors: int
    route_accuracy: float | None
    citation_recall: float | None
    range_hits: float | None
    violations: int
    auroc: ConfidenceAUROC | None = None

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "cases": self.cases,
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "errors": self.errors,
            "route_accuracy": _round(self.route_accuracy),
            "citation_recall": _round(self.citation_recall),
            "range_hits": _round(self.range_hits),
            "property_violations": self.violations,
            "confidence_auroc": self.auroc.as_dict() if self.auroc else None,
        }


@dataclass(frozen=True)
class ConfidenceAUROC:
    """How well confidence ranks right answers above wrong ones, over the cases that had one.

    ``value`` is the area under the ROC curve of confidence against correctness (a case is
    correct when it passes every label); None, with the reason, when the cases are all right or
    all wrong, since the area is then undefined.
    """

    value: float | None
    correct: int
    incorrect: int
    without_confidence: int = 0

    @property
    def reason(self) -> str:
        if self.value is not None:
            return ""
        if not self.correct and not self.incorrect:
            return "no case with a confidence"
        return (
            "undefined: no incorrect case" if not self.incorrect else "undefined: no correct case"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": _round(self.value),
            "correct": self.correct,
            "incorrect": self.incorrect,
            "without_confidence": self.without_confidence,
            "reason": self.reason,
        }


def confidence_auroc(results: Sequence[CaseResult]) -> ConfidenceAUROC:
    """AUROC of the cases' confidence against their correctness (errors and cases that ended
    without a recommendation are counted apart: they have no confidence to rank)."""
    scored = [r for r in results if r.error is None and r.confidence is not None]
    correct = [r for r in scored if r.passed]
    unscored = len(results) - len(scored)
    if not correct or len(correct) == len(scored):
        return ConfidenceAUROC(None, len(correct), len(scored) - len(correct), unscored)
    from sklearn.metrics import roc_auc_score

    value = float(
        roc_auc_score([int(r.passed) for r in scored], [float(r.confidence or 0.0) for r in scored])
    )
    return ConfidenceAUROC(value, len(correct), len(scored) - len(correct), unscored)


@dataclass
class SuiteReport:
    """Every case's result, with per-agent scores."""

    results: list[CaseResult]
    model: str = ""
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(r.error is not None for r in self.results)

    def scores(self) -> list[AgentScore]:
        """Per-agent scores, in suite order."""
        rows = []
        for agent in AGENTS:
            mine = [r for r in self.results if r.agent == agent]
            if not mine:
                continue
            routed = [r.route_ok for r in mine if r.route_ok is not None]
            rows.append(
                AgentScore(
                    agent=agent,
                    cases=len(mine),
                    passed=sum(r.passed for r in mine),
                    errors=sum(r.error is not None for r in mine),
                    route_accuracy=sum(routed) / len(routed) if routed else None,
                    citation_recall=_ratio(
                        sum(r.cited for r in mine), sum(r.to_cite for r in mine)
                    ),
                    range_hits=_ratio(sum(r.range_hits for r in mine), sum(r.ranges for r in mine)),
                    violations=sum(len(r.violations) for r in mine),
                    auroc=confidence_auroc(mine),
                )
            )
        return rows

    def violations(self) -> list[Violation]:
        return [v for r in self.results for v in r.violations]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "cases": len(self.results),
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "agents": [s.as_dict() for s in self.scores()],
            "results": [r.as_dict() for r in self.results],
        }


async def run_suite(
    cases: Sequence[ScenarioCase],
    *,
    services: Any,
    progress: Callable[[int, int], None] | None = None,
    concurrency: int = CONCURRENT_CASES,
) -> SuiteReport:
    """Run ``cases`` through the registered graphs over ``services``, ``concurrency`` at a time.

    Each agent's graph is built once and shared by its cases. Cases are independent (each reads
    the demo and writes only its own recommendation), so a few run at once: a case spends most
    of its time waiting for the worker threads that read the CRM and memory, and another case
    fills that wait. Results keep the order of ``cases`` whatever order they finish in.
    """
    specs = registered_graphs()
    graphs = {agent: specs[agent].build(services=services) for agent in _agents_of(cases)}
    resolver = RecordResolver(services.crm.engine)
    report = SuiteReport(results=[], model=services.model_info.name)
    slots = asyncio.Semaphore(max(1, concurrency))
    done = 0

    async def run_one(case: ScenarioCase) -> CaseResult:
        nonlocal done
        async with slots:
            result = await run_case(case, graphs[case.agent], resolver)
        done += 1
        if progress is not None:
            progress(done, len(cases))
        return result

    started = time.perf_counter()
    report.results = list(await asyncio.gather(*(run_one(case) for case in cases)))
    report.seconds = time.perf_counter() - started
    return report


def _agents_of(cases: Sequence[ScenarioCase]) -> list[str]:
    return list(dict.fromkeys(case.agent for case in cases))


async def run_case(case: ScenarioCase, graph: Any, resolver: RecordResolver) -> CaseResult:
    """Invoke ``graph`` with the case's input and score the final state against its labels."""
    result = CaseResult(case_id=case.id, agent=case.agent)
    started = time.perf_counter()
    try:
        state = await graph.ainvoke(case.graph_input(), NO_USER)
    except Exception as error:  # a failing case is reported, and the suite goes on
        log.warning("scenario %s failed: %s", case.id, error)
        result.error = f"{type(error).__name__}: {error}"
        result.seconds = time.perf_counter() - started
        return result
    result.seconds = time.perf_counter() - started
    result.confidence = final_confidence(state)
    score_state(case, state, result)
    for recommendation in recommendations_in(state):
        result.violations += check_recommendation(recommendation, resolver)
    return result


def score_state(case: ScenarioCase, state: Mapping[str, Any], result: CaseResult) -> None:
    """Fill ``result`` with the verdict of each label of ``case`` on the final ``state``."""
    recommendation = state.get("recommendation") or {}
    if case.expected_routes is not None:
        routes = list((state.get("route") or {}).get("routes") or [])
        result.route_ok = sorted(routes) == sorted(case.expected_routes)
        if not result.route_ok:
            result.failures.append(f"routed to {routes}, expected {case.expected_routes}")
    cited = cited_ids(recommendation)
    missing = [i for i in case.cite if i not in cited]
    result.to_cite, result.cited = len(case.cite), len(case.cite) - len(missing)
    if missing:
        result.failures.append(f"not cited: {', '.join(missing)}")
    for expected in case.ranges:
        value = value_at(state, expected.path)
        result.ranges += 1
        if isinstance(value, int | float) and expected.contains(float(value)):
            result.range_hits += 1
        else:
            shown = "missing" if value is _MISSING else repr(value)
            result.failures.append(
                f"{expected.path} = {shown}, outside [{expected.low}, {expected.high})"
            )
    for path, wanted in case.equals.items():
        value = value_at(state, path)
        if value != wanted:
            result.failures.append(f"{path} = {_shown(value)}, expected {wanted!r}")
    for path, allowed in case.one_of.items():
        value = value_at(state, path)
        if value not in allowed:
            result.failures.append(f"{path} = {_shown(value)}, expected one of {allowed}")
    proposed = {a.get("kind") for a in recommendation.get("actions") or []}
    absent = [k for k in case.action_kinds if k not in proposed]
    if absent:
        result.failures.append(f"no {', '.join(absent)} action proposed")
    if case.answered is not None:
        answered = bool(recommendation) and not str(recommendation.get("content", "")).startswith(
            NOT_FOUND_TEXT
        )
        if answered != case.answered:
            result.failures.append("answered" if answered else "said it is not documented")


def final_confidence(state: Mapping[str, Any]) -> float | None:
    """The confidence of the recommendation a run ended with: the case's answer."""
    value = (state.get("recommendation") or {}).get("confidence")
    return float(value) if isinstance(value, int | float) else None


def cited_ids(recommendation: Mapping[str, Any]) -> set[str]:
    """Every id a recommendation's provenance names: record ids, their row or section parts,
    and the document a documentation chunk's field names (``DOC-...#heading``)."""
    ids: set[str] = set()
    for fact in recommendation.get("provenance") or []:
        record_id = str(fact.get("record_id", ""))
        ids |= {record_id, record_id.split("#")[0], record_id.split(":")[0]}
        ids.add(str(fact.get("field", "")).split("#")[0])
    return ids


def value_at(state: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of the state, or a sentinel when a key is absent."""
    value: Any = state
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _shown(value: Any) -> str:
    return "missing" if value is _MISSING else repr(value)


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
