"""The three properties every recommendation must hold, checked on whatever an agent produced.

1. its confidence lies in [0, 1];
2. at least one provenance fact resolves to a real record (a CRM row, or the documentation
   section a memory chunk came from);
3. its text states no number absent from its provenance (``agents.figures``, the same check
   the agents apply to the model's drafts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from agents import figures
from core.recommendation import Fact
from crm import models as m
from crm.db import session_factory

# Provenance source -> the CRM table whose primary key the fact's record id is.
TABLES: dict[str, Any] = {
    "accounts": m.Account,
    "contacts": m.Contact,
    "products": m.Product,
    "deals": m.Deal,
    "activities": m.Activity,
    "account_notes": m.Activity,  # a note chunk "EVT-000042#0" is an activity's body
    "product_documents": m.ProductDocument,
    "document_sections": m.DocumentSection,
    "product_docs": m.DocumentSection,  # a documentation chunk "SEC-00007#0" is a section's
    "price_book_entries": m.PriceBookEntry,
    "quotes": m.Quote,
}


@dataclass(frozen=True)
class Violation:
    """A recommendation that breaks one of the three properties, and how."""

    agent: str
    recommendation_id: str
    rule: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {
            "agent": self.agent,
            "recommendation_id": self.recommendation_id,
            "rule": self.rule,
            "detail": self.detail,
        }


class RecordResolver:
    """Says whether a provenance fact names a record that exists in the CRM."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)
        self._seen: dict[tuple[str, str], bool] = {}

    def resolves(self, fact: Fact) -> bool:
        key = (fact.source, fact.record_id)
        if key not in self._seen:
            self._seen[key] = self._lookup(*key)
        return self._seen[key]

    def _lookup(self, source: str, record_id: str) -> bool:
        with self._sessions() as session:
            if source == "account_budgets":  # "ACC-0001:2025": the account's row of that year
                account_id, _, year = record_id.partition(":")
                if not year.isdigit():
                    return False
                stmt = select(m.AccountBudget.id).where(
                    m.AccountBudget.account_id == account_id, m.AccountBudget.year == int(year)
                )
                return session.scalar(stmt) is not None
            table = TABLES.get(source)
            if table is None:
                return False
            return session.get(table, record_id.split("#")[0]) is not None


def check_recommendation(
    recommendation: Mapping[str, Any], resolver: RecordResolver
) -> list[Violation]:
    """The properties ``recommendation`` (as JSON) breaks; empty when it holds all three."""
    agent = str(recommendation.get("agent", "?"))
    rec_id = str(recommendation.get("id", "?"))
    found: list[Violation] = []
    confidence = recommendation.get("confidence")
    if not isinstance(confidence, int | float) or not 0.0 <= float(confidence) <= 1.0:
        found.append(Violation(agent, rec_id, "confidence", f"confidence {confidence!r}"))
    facts = [Fact.model_validate(f) for f in recommendation.get("provenance") or []]
    if not any(resolver.resolves(f) for f in facts):
        sources = sorted({f.source for f in facts}) or ["no provenance"]
        found.append(
            Violation(agent, rec_id, "provenance", "no fact resolves: " + ", ".join(sources))
        )
    invented = figures.ungrounded_numbers(str(recommendation.get("content", "")), facts)
    if invented:
        found.append(
            Violation(agent, rec_id, "figures", "not in provenance: " + ", ".join(invented[:8]))
        )
    return found


def recommendations_in(state: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The recommendation of a final graph state and, for the supervisor, its specialists'."""
    if state.get("recommendation"):
        yield state["recommendation"]
    for result in (state.get("results") or {}).values():
        if isinstance(result, Mapping) and result.get("recommendation"):
            yield result["recommendation"]
