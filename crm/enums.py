"""Closed vocabularies of the CRM schema, shared by models, import schemas and the generator."""

from __future__ import annotations

from typing import Literal, get_args

Industry = Literal["hospital", "clinic", "lab"]
Tier = Literal["strategic", "key", "standard"]
Seniority = Literal["executive", "director", "manager", "staff"]
DealStage = Literal[
    "prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"
]
DealOutcome = Literal["won", "lost", "open"]
ActivityKind = Literal[
    "web_visit",
    "content_download",
    "email_in",
    "email_out",
    "call_answered",
    "call_missed",
    "meeting",
    "tender_announcement",
]
TrueStage = Literal["awareness", "research", "evaluation", "negotiation", "purchase", "dormant"]
BudgetBand = Literal["<1M", "1-5M", "5-20M", ">20M"]

INDUSTRIES: tuple[str, ...] = get_args(Industry)
TIERS: tuple[str, ...] = get_args(Tier)
SENIORITIES: tuple[str, ...] = get_args(Seniority)
DEAL_STAGES: tuple[str, ...] = get_args(DealStage)
DEAL_OUTCOMES: tuple[str, ...] = get_args(DealOutcome)
ACTIVITY_KINDS: tuple[str, ...] = get_args(ActivityKind)
TRUE_STAGES: tuple[str, ...] = get_args(TrueStage)
BUDGET_BANDS: tuple[str, ...] = get_args(BudgetBand)
# Kinds whose body is free text worth indexing (meeting notes, email bodies).
NOTE_KINDS: tuple[str, ...] = ("meeting", "email_in", "email_out")


def budget_band(amount: float) -> str:
    """The band of an annual budget in the account currency (millions, upper bounds exclusive)."""
    millions = amount / 1_000_000
    if millions < 1:
        return "<1M"
    if millions < 5:
        return "1-5M"
    if millions < 20:
        return "5-20M"
    return ">20M"


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that ``column`` holds one of ``values``."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
