"""Routing a rep's message to specialists: nearest labelled examples plus cheap signals.

Works with no language model at all: the message (and each of its clauses) is embedded with
the memory's embedding function, the k nearest labelled examples vote (weighted by cosine
similarity), and cheap lexical signals (a named product, a deal id, price or stakeholder
words) add a fixed boost. The winner must lead the runner-up by a margin; a clause that routes
elsewhere with its own signal adds a second specialist, so "who decides at ACC-0007 and what
price for DEAL-0042?" goes to both relationships and budget.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

EXAMPLES_PATH = Path(__file__).with_name("examples.json")

# Texts -> one vector each: lists of floats, or the arrays an embedding model returns.
Embed = Callable[[list[str]], ArrayLike]
ProductFinder = Callable[[str], list[dict[str, str]]]

_DEAL_ID = re.compile(r"\bDEAL-\d+\b", re.IGNORECASE)
# Record ids and account names say who a question is about, not what it asks: masked before
# embedding, so two questions about the same hospital are not "near" for that reason alone.
_MASKS = [
    (re.compile(r"\bACC-\d+\b", re.IGNORECASE), "the account"),
    (re.compile(r"\bDEAL-\d+\b", re.IGNORECASE), "the deal"),
    (re.compile(r"\bCON-\d+\b", re.IGNORECASE), "the contact"),
    (
        re.compile(
            r"\b(?:[A-Z][\w']*\s+)+(?:of\s+(?:[A-Z][\w']*\s+)*)?"
            r"(?:Hospital|Laboratory|Clinic|Medicine|Centre|Center|Institute)\b"
        ),
        "the hospital",
    ),
]
_SIGNALS: dict[str, re.Pattern[str]] = {
    "budget": re.compile(
        r"\b(price[sd]?|pricing|quote|quotation|discount\w*|budget\w*|cost|costs|floor|"
        r"list price|spen[dt]|spending|cheaper|afford\w*|tender|proposal total|pay|paid)\b",
        re.IGNORECASE,
    ),
    "relationships": re.compile(
        r"\b(stakeholders?|decision[- ]makers?|economic buyer|champions?|blockers?|blocking|"
        r"influencers?|buying committee|org chart|who (?:signs|decides|approves)|"
        r"sentiment|coverage|engage next|who should (?:i|we) (?:engage|talk|meet))\b",
        re.IGNORECASE,
    ),
    "lead_scoring": re.compile(
        r"\b(lead score|score|scoring|grade|buying stage|stage|dormant|qualify|hot lead|"
        r"intent|ready to buy|funnel|hott?est|my territory|what changed|stale|overdue|"
        r"past (?:their |the )?close dates?)\b",
        re.IGNORECASE,
    ),
    "next_action": re.compile(
        r"\b(draft|e-?mail|next steps?|next best action|follow[- ]?up|talk track|"
        r"create a task|schedule|what should i do)\b",
        re.IGNORECASE,
    ),
}
# A clause boundary: sentence ends, or "and" followed by a new question.
_CLAUSES = re.compile(
    r"(?<=[?;.!])\s+|\s+and\s+(?:also\s+)?(?=(?:who|what|how|which|is|are|can|should|give|"
    r"draft|score|map|recommend|tell)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RouteDecision:
    """Where a message goes and why: the routes, per-specialist scores and the margin."""

    routes: list[str]
    scores: dict[str, float]
    margin: float
    signals: dict[str, list[str]] = field(default_factory=dict)
    method: str = "knn"

    def as_dict(self) -> dict[str, object]:
        return {
            "routes": self.routes,
            "scores": self.scores,
            "margin": self.margin,
            "signals": self.signals,
            "method": self.method,
        }


def load_examples(path: Path = EXAMPLES_PATH) -> dict[str, list[str]]:
    """Labelled example questions per specialist (keys starting with "_" are comments)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {label: list(texts) for label, texts in raw.items() if not label.startswith("_")}


class ExampleRouter:
    """k-NN vote over embedded labelled examples, boosted by cheap lexical signals.

    ``labels`` restricts routing to the specialists that exist (e.g. next_action only when
    registered). Examples are embedded once, on first use.
    """

    def __init__(
        self,
        *,
        embed: Embed,
        labels: Iterable[str],
        examples: dict[str, list[str]] | None = None,
        products_mentioned: ProductFinder | None = None,
        k: int = 5,
        signal_boost: float = 0.35,
        min_margin: float = 0.1,
    ) -> None:
        wanted = set(labels)
        examples = examples if examples is not None else load_examples()
        self.labels = sorted(label for label in examples if label in wanted)
        if not self.labels:
            raise ValueError(f"no labelled examples for any of {sorted(wanted)}")
        self._texts = [mask_entities(text) for label in self.labels for text in examples[label]]
        self._text_labels = [label for label in self.labels for _ in examples[label]]
        self._embed = embed
        self._products = products_mentioned
        self.k, self.signal_boost, self.min_margin = k, signal_boost, min_margin

    @cached_property
    def _matrix(self) -> np.ndarray:
        return _normalised(self._embed(self._texts))

    def signals(self, text: str) -> dict[str, list[str]]:
        """Cheap evidence per specialist: the words, ids or product names that point to it."""
        found: dict[str, list[str]] = {}
        for label, pattern in _SIGNALS.items():
            hits = [m.group(0).lower() for m in pattern.finditer(text)]
            if label == "budget":
                hits += [m.group(0).upper() for m in _DEAL_ID.finditer(text)]
            if hits and label in self.labels:
                found[label] = hits
        if self._products is not None and "technical_qa" in self.labels:
            named = [p["name"] for p in self._products(text)]
            # A named product is a technical question unless the clause is about money.
            if named and "budget" not in found:
                found["technical_qa"] = named
        return found

    def score(self, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Per-specialist scores in [0, 1 + boost]: the k-NN vote share plus signal boosts."""
        query = _normalised(self._embed([mask_entities(text)]))[0]
        sims = self._matrix @ query
        top = np.argsort(-sims)[: self.k]
        votes = dict.fromkeys(self.labels, 0.0)
        for index in top:
            votes[self._text_labels[index]] += max(float(sims[index]), 0.0)
        total = sum(votes.values()) or 1.0
        signals = self.signals(text)
        scores = {
            label: round(votes[label] / total + self._boost(label, signals), 4)
            for label in self.labels
        }
        return scores, signals

    def _boost(self, label: str, signals: dict[str, list[str]]) -> float:
        hits = signals.get(label, [])
        if not hits:
            return 0.0
        # A deal id alone is weak evidence of a price question (next steps name deals too).
        if all(_DEAL_ID.fullmatch(hit) for hit in hits):
            return self.signal_boost / 2
        return self.signal_boost

    def route(self, text: str) -> RouteDecision:
        """The specialists for ``text``: the best overall, plus any a signalled clause adds."""
        scores, signals = self.score(text)
        ranked = sorted(scores, key=lambda label: -scores[label])
        best = ranked[0]
        margin = round(scores[best] - (scores[ranked[1]] if len(ranked) > 1 else 0.0), 4)
        routes = [best]
        clauses = [c.strip() for c in _CLAUSES.split(text) if len(c.split()) >= 2]
        if len(clauses) > 1:
            for clause in clauses:
                clause_scores, clause_signals = self.score(clause)
                order = sorted(clause_scores, key=lambda label: -clause_scores[label])
                lead = clause_scores[order[0]] - clause_scores[order[1]] if len(order) > 1 else 1.0
                if (
                    order[0] not in routes
                    and order[0] in clause_signals
                    and lead >= self.min_margin
                ):
                    routes.append(order[0])
        return RouteDecision(routes=routes, scores=scores, margin=margin, signals=signals)


def mask_entities(text: str) -> str:
    """``text`` with record ids and account names replaced by neutral placeholders."""
    for pattern, placeholder in _MASKS:
        text = pattern.sub(placeholder, text)
    return text


def _normalised(vectors: ArrayLike) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
