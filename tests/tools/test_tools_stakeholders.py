"""Stakeholder tools over a real SQLite demo CRM (5% scale) and a real embedded Chroma."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.relationships_world import (
    ANN,
    BEN,
    CAI,
    DAN,
    LONELY,
    LOOP,
    MEMORY_LAB,
    MEMORY_NOTE_ID,
    World,
    build_world,
)
from tools.stakeholders import PERSON_KINDS, StakeholderTools

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("stakeholder-tools"))
    yield built
    built.engine.dispose()


def test_find_account_by_id_and_unknown_ids(world: World) -> None:
    account = world.tools.find_account(LOOP)
    assert account is not None and account.name == "Loop Test Hospital"
    assert account.industry == "hospital"
    assert world.tools.find_account(f"  {LOOP} ").account_id == LOOP  # type: ignore[union-attr]
    assert world.tools.find_account("ACC-0000") is None
    assert world.tools.find_account("") is None


def test_accounts_mentioned_by_id_or_name_in_order(world: World) -> None:
    found = world.tools.accounts_mentioned("Compare memory test lab with acc-9002 please")
    assert [a.account_id for a in found] == [MEMORY_LAB, LOOP]
    assert (
        world.tools.accounts_mentioned("Who decides at Loop Test Hospital?")[0].account_id == LOOP
    )
    assert world.tools.accounts_mentioned("Who decides at ACC-12345?") == []
    assert world.tools.accounts_mentioned("") == []
    demo = world.crm.get_account(account_id="ACC-0001")
    assert world.tools.accounts_mentioned(f"map {demo.name}")[0].account_id == "ACC-0001"


def test_contacts_carry_title_seniority_and_manager(world: World) -> None:
    contacts = {c.contact_id: c for c in world.tools.contacts(LOOP)}
    assert set(contacts) == {ANN, BEN, CAI, DAN}
    assert contacts[ANN].name == "Ann Loop" and contacts[ANN].seniority == "executive"
    assert contacts[ANN].reports_to == CAI  # the recorded cycle is handed out as it is
    assert world.tools.contacts(LONELY) == []


def test_interactions_are_person_level_newest_first_and_cut_at_until(world: World) -> None:
    everything = world.tools.interactions(LOOP)
    assert [i.activity_id for i in everything][0] == "EVT-990006"
    until = world.tools.interactions(LOOP, until=AS_OF)
    assert "EVT-990006" not in {i.activity_id for i in until}
    times = [i.occurred_at for i in until]
    assert times == sorted(times, reverse=True)
    newsletter = next(i for i in until if i.activity_id == "EVT-990004")
    assert newsletter.bulk
    meeting = next(i for i in until if i.activity_id == "EVT-990001")
    assert meeting.people == (CAI, BEN)
    demo = world.tools.interactions("ACC-0001")
    assert demo and {i.kind for i in demo} <= set(PERSON_KINDS)


def test_contact_activity_counts_coverage_per_contact(world: World) -> None:
    activity = world.tools.contact_activity(
        LOOP, recent_since=AS_OF - timedelta(days=365), until=AS_OF
    )
    assert set(activity) == {ANN, BEN, CAI, DAN}
    ann, ben, dan = activity[ANN], activity[BEN], activity[DAN]
    # A newsletter and a missed call are no conversation.
    assert ann.two_way == 0 and ann.bulk_emails == 1 and ann.calls_missed == 1
    assert ann.last_contact is None and ann.last_outreach is not None
    assert ben.meetings == 1 and ben.last_contact_activity_id == "EVT-990001"
    assert dan.emails_in == 1 and dan.calls_answered == 1 and dan.two_way_recent == 2
    assert dan.last_contact_activity_id == "EVT-990003"
    assert world.tools.contact_activity(LONELY) == {}


def test_contact_activity_reuses_fetched_interactions(world: World) -> None:
    items = world.tools.interactions(LOOP, until=AS_OF)
    assert world.tools.contact_activity(LOOP, interactions=items) == world.tools.contact_activity(
        LOOP, until=AS_OF
    )


def test_search_notes_is_per_account_and_finds_memory_only_notes(world: World) -> None:
    hits = world.tools.search_notes(MEMORY_LAB, "final decision on the purchase", k=5)
    assert [h.note_id for h in hits] == [MEMORY_NOTE_ID]
    assert hits[0].contact_id is not None and 0.0 <= hits[0].score <= 1.0
    loop_hits = world.tools.search_notes(LOOP, "sign off on any purchase", k=5)
    assert loop_hits and all(h.note_id and h.note_id.startswith("EVT-99") for h in loop_hits)
    assert world.tools.search_notes(LONELY, "final decision") == []


def test_search_notes_outside_the_readers_scope_finds_nothing(world: World) -> None:
    from crm.scope import AccountScope

    lab = world.crm.get_account(account_id=MEMORY_LAB)
    others = AccountScope(regions=frozenset({"Nowhere"}))
    outside = StakeholderTools(world.crm.scoped(others), world.memory)
    assert outside.search_notes(MEMORY_LAB, "final decision on the purchase") == []
    inside = StakeholderTools(
        world.crm.scoped(AccountScope(regions=frozenset({lab.region}))), world.memory
    )
    assert [h.note_id for h in inside.search_notes(MEMORY_LAB, "final decision")] == [
        MEMORY_NOTE_ID
    ]


def test_the_memory_returns_chunks_of_the_given_accounts_only(world: World) -> None:
    query = "final decision on the purchase"
    everywhere = world.memory.search_account_notes(query, k=50)
    assert {c.account_id for c in everywhere} >= {MEMORY_LAB, LOOP}
    only_loop = world.memory.search_account_notes(query, k=50, accounts=[LOOP])
    assert only_loop and {c.account_id for c in only_loop} == {LOOP}
    assert world.memory.search_account_notes(query, accounts=[]) == []


def test_search_notes_without_a_memory_finds_nothing(world: World) -> None:
    assert StakeholderTools(world.crm).search_notes(LOOP, "final decision") == []


def test_unknown_account_raises_for_contacts(world: World) -> None:
    from crm.errors import NotFound

    with pytest.raises(NotFound):
        world.tools.contacts("ACC-0000")
