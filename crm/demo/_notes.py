"""Short, varied meeting notes and e-mail bodies that mention products and people."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from crm.demo._vocab import COMPETITORS


def name(person: dict[str, Any] | None) -> str:
    return f"{person['first_name']} {person['last_name']}" if person else "the team"


def who(person: dict[str, Any] | None) -> str:
    return f"{name(person)} ({person['title']})" if person else "the team"


def millions(amount: Decimal | float) -> str:
    return f"CNY {float(amount) / 1_000_000:.1f}M"


def _spec(rng: random.Random, product: Any) -> str:
    specs = [(key, value) for key, value in product.specs.items() if not isinstance(value, dict)]
    if not specs:
        return "the service intervals"
    key, value = rng.choice(specs)
    return f"{str(key).replace('_', ' ')} ({value})"


def meeting(
    rng: random.Random,
    phase: str,
    *,
    product: Any,
    department: str,
    champion: dict[str, Any] | None,
    decision_maker: dict[str, Any] | None,
    dm_present: bool,
    others: list[dict[str, Any]],
    budget_hint: str | None,
) -> tuple[str, str]:
    """Subject and notes of a meeting in the given buying phase."""
    other = who(others[0]) if others else "A biomedical engineer"
    competitor = rng.choice(COMPETITORS)
    if decision_maker is not None and decision_maker is champion:
        dm_line = rng.choice(
            (
                f"{name(champion)} holds the budget for this purchase and will make the final call.",
                f"{name(champion)} confirmed the decision is theirs once the evaluation is done.",
            )
        )
    elif dm_present:
        dm_line = rng.choice(
            (
                f"{who(decision_maker)} joined and made clear the final decision is theirs.",
                f"{who(decision_maker)} attended; they will sign off on any purchase.",
                f"{who(decision_maker)} asked about total cost of ownership and will approve the order.",
            )
        )
    else:
        dm_line = rng.choice(
            (
                f"{name(champion)} said the purchase needs approval from the {decision_maker['title'] if decision_maker else 'management'}.",
                f"Final sign-off rests with {name(decision_maker)}, who did not attend.",
                f"We still need a meeting with {who(decision_maker)}, the budget holder.",
            )
        )
    budget = f" Their equipment budget this year is about {budget_hint}." if budget_hint else ""
    spec = _spec(rng, product)
    if phase in ("awareness", "research"):
        subject = rng.choice(
            (
                "Introductory meeting",
                f"Discovery call: {department}",
                f"First visit to {department}",
            )
        )
        body = (
            f"Met {who(champion)} to understand needs in {department}. They run older "
            f"{competitor} equipment and are looking at options such as {product.name}. "
            f"{other} asked about {spec}. Shared the brochure.{budget}"
        )
        return subject, body
    if phase == "evaluation":
        subject = rng.choice(
            (
                f"Product demo: {product.name}",
                f"Clinical trial review: {product.name}",
                f"Site visit for {product.name}",
            )
        )
        body = (
            f"Demo of {product.name} for the {department} team, led by {who(champion)}. "
            f"{other} checked {spec} and compared it with {competitor}. {dm_line} "
            f"Next step: {rng.choice(('trial unit for two weeks', 'reference site visit', 'send the service manual', 'formal proposal'))}.{budget}"
        )
        return subject, body
    if phase == "negotiation":
        subject = rng.choice(
            (
                f"Pricing review: {product.name}",
                "Commercial negotiation",
                f"Quotation discussion: {product.name}",
            )
        )
        body = (
            f"Reviewed our quotation for {product.name} with procurement. {dm_line} "
            f"They asked for {rng.choice((5, 8, 10, 12, 15))}% more discount and a longer "
            f"warranty; {competitor} has offered a lower price. {other} raised delivery "
            f"timing.{budget}"
        )
        return subject, body
    subject = rng.choice(
        (
            "Contract and installation planning",
            f"Tender preparation: {product.name}",
            "Purchase order follow-up",
        )
    )
    body = (
        f"Procurement confirmed the tender for {product.name} is proceeding. {dm_line} "
        f"Discussed installation in {department}, training for the users and acceptance "
        f"testing.{budget}"
    )
    return subject, body


def email(
    rng: random.Random,
    phase: str,
    direction: str,
    *,
    product: Any,
    contact: dict[str, Any] | None,
    decision_maker: dict[str, Any] | None,
) -> tuple[str, str]:
    """Subject and body of an e-mail sent to (out) or received from (in) the account."""
    person = name(contact)
    spec = _spec(rng, product)
    approver_is_writer = contact is decision_maker
    if direction == "out":
        if phase == "awareness":
            subject = f"Introducing {product.category} solutions"
            body = (
                f"Dear {person}, we would welcome a chance to present {product.name} and our "
                "service network in your region. Could we book 30 minutes?"
            )
        elif phase == "dormant":
            subject = "Checking in"
            body = (
                f"Dear {person}, it has been a while since we discussed {product.name}. "
                "Is the project still planned this year?"
            )
        elif phase in ("negotiation", "purchase"):
            subject = f"Revised offer: {product.name}"
            body = (
                f"Dear {person}, attached is our revised offer for {product.name}, including "
                f"installation, training and a {rng.choice((2, 3, 5))}-year warranty. "
                f"Please share it with {name(decision_maker)}."
            )
        else:
            subject = f"{product.name}: documents you asked for"
            body = (
                f"Dear {person}, please find the datasheet and clinical evidence for "
                f"{product.name}, including {spec}. Happy to arrange a trial."
            )
    elif phase in ("awareness", "research"):
        subject = f"Request for information: {product.name}"
        body = (
            f"Hello, we are reviewing {product.category.lower()} options. Could you send the "
            f"brochure and an indicative price for {product.name}? Regards, {person}"
        )
    elif phase == "evaluation":
        reviewer = "I sign off" if approver_is_writer else f"{name(decision_maker)} reviews it"
        subject = f"RE: {product.name} technical questions"
        body = (
            f"Thanks for the demo. Can you confirm {spec} for {product.name}? We also need "
            f"the service manual before {reviewer}. {person}"
        )
    elif phase == "negotiation":
        approval = (
            "I need the final offer soon to approve it."
            if approver_is_writer
            else f"{name(decision_maker)} needs the final offer soon to approve it."
        )
        subject = f"RE: Quotation for {product.name}"
        body = (
            "We received your quotation. The price is above our expectation and "
            f"{rng.choice(COMPETITORS)} offered less. Can you improve it? {approval} {person}"
        )
    else:
        subject = f"Tender documents: {product.name}"
        body = (
            f"The tender for {product.name} is published. Please submit your qualification "
            f"documents before the deadline. {person}"
        )
    return subject, body


def tender(
    *,
    account_name: str,
    product: Any,
    quantity: int,
    ceiling: Decimal,
    tender_no: str,
    deadline: str,
) -> tuple[str, str]:
    """A public tender announcement as published by a hospital."""
    subject = f"Public tender {tender_no}: {product.category} for {account_name}"
    body = (
        f"{account_name} invites bids for {quantity} x {product.category.lower()} "
        f"({product.name} or equivalent). Budget ceiling {millions(ceiling)} "
        f"(CNY {ceiling:,.0f}). Bid deadline {deadline}."
    )
    return subject, body
