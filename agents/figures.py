"""Figures in generated text: which numbers a text states, and which no source states.

The rule "no agent may state a number absent from its provenance" is checked here, by one
implementation every agent (and the scenario suite) uses. Sources are texts (retrieved
passages, a facts block) or provenance facts (their values and as-of dates).

What counts as a figure, and when two are the same:

- record ids (``ACC-0007``, ``DOC-PRD-001-UM``, ``SEC-00007#0``, ``ACC-0001:2025``), citation
  markers (``[1]``), list numbers ("1. " at the start of a line) and page locators ("page 3")
  name or order things; they state no figure;
- an ISO date (``2026-07-17``) is one figure: the day of a cited date does not ground
  "17 days";
- a comma followed by groups of three digits separates thousands, so ``12,950,000.00`` states
  the same figure as a fact whose value is ``12950000``; figures compare as numbers, without
  sign (texts write signs in words: "lower by 1.5%");
- ordinals ("25th percentile") name a statistic, not a figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from core.recommendation import Fact

# A record id ("ACC-0007", "DOC-PRD-001-UM", "SEC-00007#0"); names a record, states no figure.
RECORD_ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)*-\d+[A-Z0-9-]*(?:[#:]\d+)?\b")
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
# "1. " or "2) " at the start of a line numbers a list; "page 3" locates a source.
_LOCATOR = re.compile(r"^\s*\d{1,2}[.)]\s|\bpages?\s+\d+\b", re.MULTILINE | re.IGNORECASE)
_FIGURE = re.compile(
    r"(?<![\w.])(?:\d{4}-\d{2}-\d{2}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?!\d|st\b|nd\b|rd\b|th\b)"
)

Source = str | Fact


def numbers(text: str) -> list[str]:
    """Figures stated in ``text``, in order (record ids and citation markers excluded)."""
    return _FIGURE.findall(_LOCATOR.sub(" ", _CITATION.sub(" ", RECORD_ID.sub(" ", text))))


def figure_spans(text: str) -> list[re.Match[str]]:
    """The figures of ``text`` as matches on ``text`` itself (record ids, citation markers and
    locators blanked out first, so positions stay those of ``text``)."""

    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group(0))

    masked = _LOCATOR.sub(blank, _CITATION.sub(blank, RECORD_ID.sub(blank, text)))
    return list(_FIGURE.finditer(masked))


def figure_key(figure: str) -> Decimal | str | None:
    """What a figure states, so that equal figures written differently compare equal."""
    if figure.count("-") == 2:
        return figure  # a date
    try:
        return abs(Decimal(figure.replace(",", ""))).normalize()
    except InvalidOperation:
        return None


def stated_figures(sources: Iterable[Source]) -> set[Decimal | str]:
    """Every figure the sources state: numbers in texts, numeric fact values, facts' dates."""
    found: set[Decimal | str | None] = set()
    for source in sources:
        if isinstance(source, str):
            found.update(figure_key(n) for n in numbers(source))
            continue
        value = source.value
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            found.add(figure_key(str(Decimal(str(value)))))
        elif value is not None:
            found.update(figure_key(n) for n in numbers(str(value)))
        if source.as_of is not None:
            found.add(source.as_of.date().isoformat())
    found.discard(None)
    return found  # type: ignore[return-value]


def ungrounded_numbers(text: str, sources: Iterable[Source]) -> list[str]:
    """Figures in ``text`` that no source states (a sign the model invented them)."""
    sources = list(sources)
    # A fact's own record id may hold digits after a separator ("ACC-0001:2025"): it is a name.
    for record_id in sorted(
        {s.record_id for s in sources if isinstance(s, Fact)}, key=len, reverse=True
    ):
        if any(ch.isdigit() for ch in record_id):
            text = text.replace(record_id, " ")
    stated = stated_figures(sources)
    return [n for n in numbers(text) if figure_key(n) not in stated]
