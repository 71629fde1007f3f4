"""Resolving what a request is about, as the rep means it, over a seeded demo CRM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from agents.subjects import UnknownRecord, resolve_subject, which_deal_question
from tests.support.subjects_world import (
    LARGEST,
    NO_OPEN,
    ONE_OPEN,
    ONE_OPEN_DEAL,
    SEVERAL_OPEN,
    SEVERAL_OPEN_DEALS,
    SubjectsWorld,
    build_subjects_world,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubjectsWorld]:
    built = build_subjects_world(Path(tmp_path_factory.mktemp("subjects")))
    yield built
    built.engine.dispose()


def test_an_accounts_open_deal_is_its_only_open_deal(world: SubjectsWorld) -> None:
    name = world.name(ONE_OPEN)
    for question in (
        f"What price should we quote for {name}'s open deal?",
        f"What budget should I quote for {name}'s open deal?",
        f"Prepare the quote for the open opportunity at {name}",
    ):
        subject = resolve_subject(world.crm, question)
        assert (subject.account_id, subject.deal_id) == (ONE_OPEN, ONE_OPEN_DEAL), question
        assert subject.via == "text" and subject.deal_via == "only_open"


def test_an_account_alone_names_no_deal(world: SubjectsWorld) -> None:
    subject = resolve_subject(world.crm, f"What is {world.name(ONE_OPEN)}'s yearly budget?")
    assert subject.account_id == ONE_OPEN and subject.deal_id is None and not subject.choices


def test_several_open_deals_are_listed_for_the_rep_to_choose(world: SubjectsWorld) -> None:
    name = world.name(SEVERAL_OPEN)
    subject = resolve_subject(world.crm, f"What price should we quote for {name}'s open deal?")
    assert subject.deal_id is None and subject.needs_choice
    assert {choice.id for choice in subject.choices} == set(SEVERAL_OPEN_DEALS)
    question = which_deal_question(subject)
    assert question.startswith(f"{name} has 3 open deals. Which one do you mean?")
    largest = next(line for line in question.splitlines() if LARGEST in line)
    # Name, stage, amount and close date, as a rep reads them.
    assert largest == (
        f"- {LARGEST} {world.crm.get_deal(deal_id=LARGEST).name}: negotiation, "
        "CNY 2,480,000.00, closes 31 Mar 2027"
    )


def test_the_largest_open_deal_is_the_one_with_the_largest_amount(world: SubjectsWorld) -> None:
    name = world.name(SEVERAL_OPEN)
    for question in (
        f"What should we quote for our largest open deal at {name}?",
        f"Next steps for the biggest deal at {name}",
    ):
        subject = resolve_subject(world.crm, question)
        assert subject.deal_id == LARGEST and subject.deal_via == "largest_open", question


def test_the_largest_one_answers_the_clarifying_question(world: SubjectsWorld) -> None:
    name = world.name(SEVERAL_OPEN)
    asked = resolve_subject(world.crm, f"What price should we quote for {name}'s open deal?")
    earlier = [
        HumanMessage(content=f"What price should we quote for {name}'s open deal?"),
        AIMessage(content=which_deal_question(asked)),
    ]
    subject = resolve_subject(world.crm, "The largest one.", earlier=earlier)
    assert (subject.account_id, subject.deal_id) == (SEVERAL_OPEN, LARGEST)


def test_the_last_answer_names_the_subject_before_a_carried_one(world: SubjectsWorld) -> None:
    name = world.name(SEVERAL_OPEN)
    asked = resolve_subject(world.crm, f"Price {name}'s open deal")
    earlier = [
        HumanMessage(content=f"Price {name}'s open deal"),
        AIMessage(which_deal_question(asked)),
    ]
    # The supervisor still carries the subject of its last recommendation (another account).
    subject = resolve_subject(
        world.crm, "the biggest one", earlier=earlier, conversation={"account_id": ONE_OPEN}
    )
    assert (subject.account_id, subject.deal_id) == (SEVERAL_OPEN, LARGEST)


def test_an_account_without_open_deals_says_so(world: SubjectsWorld) -> None:
    subject = resolve_subject(world.crm, f"Price {world.name(NO_OPEN)}'s open deal")
    assert subject.account_id == NO_OPEN and subject.no_open_deal and subject.deal_id is None


def test_that_hospital_and_this_deal_refer_back_into_the_thread(world: SubjectsWorld) -> None:
    name = world.name(ONE_OPEN)
    earlier = [
        HumanMessage(content=f"Who decides at {name}?"),
        AIMessage(content=f"At {name} the economic buyer is the head of procurement."),
    ]
    subject = resolve_subject(
        world.crm, "What about that hospital's relationships?", earlier=earlier
    )
    assert (subject.account_id, subject.via) == (ONE_OPEN, "thread")
    on_deal = [HumanMessage(content=f"Price {ONE_OPEN_DEAL} please"), AIMessage(content="...")]
    subject = resolve_subject(world.crm, "Who should I engage on this deal?", earlier=on_deal)
    assert (subject.account_id, subject.deal_id, subject.deal_via) == (
        ONE_OPEN, ONE_OPEN_DEAL, "thread"
    )  # fmt: skip
    # A message that names its own subject is not a follow-up.
    subject = resolve_subject(world.crm, f"And {world.name(NO_OPEN)}?", earlier=earlier)
    assert subject.account_id == NO_OPEN and subject.via == "text"


def test_the_newest_message_naming_one_account_wins_and_several_name_none(
    world: SubjectsWorld,
) -> None:
    first, second = world.name(ONE_OPEN), world.name(NO_OPEN)
    earlier = [HumanMessage(content=f"Tell me about {first}"), HumanMessage(content=second)]
    assert resolve_subject(world.crm, "and their budget?", earlier=earlier).account_id == NO_OPEN
    both = [HumanMessage(content=f"Compare {first} and {second}")]
    assert resolve_subject(world.crm, "what about that hospital?", earlier=both).account_id is None


def test_the_pages_focus_applies_only_when_nothing_else_is_named(world: SubjectsWorld) -> None:
    focus = {"account_id": ONE_OPEN}
    subject = resolve_subject(
        world.crm, "What price should we quote for the open deal?", focus=focus
    )
    assert (subject.account_id, subject.deal_id, subject.via) == (ONE_OPEN, ONE_OPEN_DEAL, "focus")
    named = resolve_subject(world.crm, f"Who decides at {world.name(NO_OPEN)}?", focus=focus)
    assert named.account_id == NO_OPEN and named.via == "text"
    portfolio = resolve_subject(
        world.crm, "Which of my accounts are hottest this week?", focus=focus
    )
    assert portfolio.account_id is None and portfolio.via == "none"
    # A reference back into the thread wins over the selected account.
    earlier = [HumanMessage(content=f"Who decides at {world.name(SEVERAL_OPEN)}?")]
    back = resolve_subject(world.crm, "and that hospital's budget?", earlier=earlier, focus=focus)
    assert back.account_id == SEVERAL_OPEN


def test_unknown_ids_are_reported_not_guessed(world: SubjectsWorld) -> None:
    with pytest.raises(UnknownRecord, match="There is no deal DEAL-9999 in the CRM."):
        resolve_subject(world.crm, "Price DEAL-9999")
    with pytest.raises(UnknownRecord, match="There is no account ACC-9999 in the CRM."):
        resolve_subject(world.crm, "the open deal", account_id="ACC-9999")
