"""The one figure check every agent uses: which numbers a text states that no source states."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.figures import numbers, ungrounded_numbers
from core.recommendation import Fact

FACTS = [
    Fact(source="deals", record_id="DEAL-0001", field="amount", value=1901088),
    Fact(source="account_budgets", record_id="ACC-0001:2025", field="amount", value=13583000.0),
    Fact(source="computed", record_id="trend", field="pct", value=-5.31),
    Fact(
        source="activities",
        record_id="EVT-000709",
        field="body",
        value="We need 3 units before Q4.",
        as_of=datetime(2026, 7, 17, 8, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(
    "text",
    [
        "Won CNY 1,901,088.00 on DEAL-0001.",  # thousands separators, trailing zeros
        "Recorded budget (account_budgets ACC-0001:2025): CNY 13,583,000.00.",  # the id's year
        "The trend is lower by 5.31% a year.",  # signs are written in words
        "They need 3 units; last contact on 2026-07-17 (EVT-000709).",
        "1. Call back.\n2. Send the quote [1, 2], see page 4.",  # list numbers, citations, pages
        "The 25th percentile of comparable quotes.",  # an ordinal names a statistic
    ],
)
def test_figures_the_sources_state_are_grounded(text: str) -> None:
    assert ungrounded_numbers(text, FACTS) == []


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("About 12% more than last year.", ["12"]),
        ("Call within 17 days.", ["17"]),  # the day of a cited date grounds no count of days
        ("Won CNY 1,901,089.00.", ["1,901,089.00"]),
        ("On 2026-07-18 they met.", ["2026-07-18"]),
    ],
)
def test_figures_no_source_states_are_named(text: str, invented: list[str]) -> None:
    assert ungrounded_numbers(text, FACTS) == invented


def test_texts_ground_figures_too() -> None:
    passages = ["A 4,500 mAh battery runs for 3.8 hours."]
    assert ungrounded_numbers("It runs 3.8 hours on 4500 mAh.", passages) == []
    assert ungrounded_numbers("It runs 4 hours.", passages) == ["4"]
    assert numbers("SEC-00007#0 and DOC-PRD-001-UM cite 12 pages [3]") == ["12"]
