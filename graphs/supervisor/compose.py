"""Composing specialists' answers into one reply and one composite recommendation.

Deterministic: each specialist's answer goes under its own heading, in routing order; the
composite's provenance is the union of theirs and its confidence the weakest of theirs,
scaled by how clear the route was (a close call between specialists lowers it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agents.prose import Checked, Grounds, check_prose, no_prose
from agents.withheld import merge_withheld
from core.recommendation import Fact, ModelInfo, PromptInfo, Recommendation, snapshot_sha256

TITLES = {
    "technical_qa": "Technical Q&A",
    "lead_scoring": "Lead scoring",
    "budget": "Budget",
    "relationships": "Relationships",
    "next_action": "Next best action",
}
FAILED_TEXT = "This specialist could not answer: {error}"


def title_of(specialist: str) -> str:
    return TITLES.get(specialist, specialist.replace("_", " ").capitalize())


def section_heading(specialist: str) -> str:
    """What goes before a specialist's answer in the reply."""
    return f"## {title_of(specialist)}\n\n"


def compose_content(
    routes: Sequence[str], results: Mapping[str, dict[str, Any]], summary: str = ""
) -> str:
    """The reply: an optional one-line summary, then each specialist's answer under a heading."""
    sections = [summary.strip()] if summary.strip() else []
    for name in routes:
        result = results.get(name, {})
        body = result.get("content") or FAILED_TEXT.format(error=result.get("error", "no answer"))
        sections.append(section_heading(name) + body.strip())
    return "\n\n".join(sections)


def checked_summary(
    summary: str, results: Mapping[str, dict[str, Any]], *, question: str = ""
) -> Checked:
    """The model's one-line summary when it passes the prose checks against the answers it
    sums up; otherwise none (the answers stand on their own)."""
    line = summary.strip().splitlines()[0].strip() if summary.strip() else ""
    if not line:
        return no_prose("")
    sources = [r.get("content", "") for r in results.values()]
    checked = check_prose(line, Grounds.of(sources, question=question), "")
    if checked.status != "passed":
        return Checked("", "replaced", checked.problems, summary)
    return checked


def prose_record(
    summary: Checked | None, routes: Sequence[str], results: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """What became of the model-written text in the whole reply: the summary's and each
    specialist's outcome, the worst one first ("replaced" over "partial" over "passed")."""
    records = [("summary", summary.record)] if summary is not None else []
    for name in routes:
        prose = ((results.get(name) or {}).get("recommendation") or {}).get("data", {}).get("prose")
        if prose:
            records.append((name, prose))
    statuses = {record["status"] for _, record in records}
    status = next((s for s in ("replaced", "partial", "passed") if s in statuses), "none")
    problems = [f"{name}: {p}" for name, record in records for p in record.get("problems", [])]
    shown = "\n\n".join(r["shown"] for _, r in records if r.get("shown"))
    return {"status": status, "problems": problems, "shown": shown}


def route_confidence(margin: float) -> float:
    """How sure the routing was, from the winning margin: 0.6 for a tie, 1.0 from 0.4 up."""
    return round(min(1.0, 0.6 + max(margin, 0.0)), 3)


def composite_recommendation(
    *,
    question: str,
    route: Mapping[str, Any],
    results: Mapping[str, dict[str, Any]],
    content: str,
    model: ModelInfo | None,
    prompt: PromptInfo | None,
    prose: dict[str, Any] | None = None,
) -> Recommendation:
    """One recommendation standing for the whole reply (the specialists' ones stay recorded)."""
    routes: list[str] = list(route["routes"])
    children = [
        results[n]["recommendation"] for n in routes if results.get(n, {}).get("recommendation")
    ]
    provenance: list[Fact] = [
        Fact(
            source="supervisor_routing",
            record_id="graphs/supervisor/examples.json",
            field="routes",
            value=",".join(routes),
        ),
    ]
    seen: set[tuple[str, str, str]] = set()
    for child in children:
        for fact in child.get("provenance", []):
            key = (fact["source"], fact["record_id"], fact["field"])
            if key not in seen:
                seen.add(key)
                provenance.append(Fact.model_validate(fact))
    subject: dict[str, str] = {}
    for child in children:
        for key, value in child.get("subject", {}).items():
            subject.setdefault(key, value)
    # A specialist that failed or gave no recommendation counts as no confidence at all.
    confidences = [float(c["confidence"]) for c in children] + [0.0] * (len(routes) - len(children))
    confidence = round(min(confidences or [0.0]) * route_confidence(float(route["margin"])), 3)
    # Each specialist's answer already says what consent withheld from it, at its lowered
    # confidence; the composite carries the summary for the page's notice.
    withheld = merge_withheld((c.get("data") or {}).get("withheld") for c in children)
    return Recommendation(
        kind="composite_answer",
        agent="supervisor",
        subject=subject,
        content=content,
        confidence=confidence,
        provenance=provenance,
        data={
            "route": dict(route),
            "children": [{"agent": c["agent"], "id": c["id"], "kind": c["kind"]} for c in children],
            **({"withheld": withheld} if withheld else {}),
            "prose": prose or prose_record(None, routes, results),
        },
        model=model,
        prompt=prompt,
        input_sha256=snapshot_sha256(
            {
                "question": question,
                "routes": routes,
                "children": [[c["id"], c.get("input_sha256")] for c in children],
            }
        ),
    )
