"""E-mails, calls, meetings and tenders: the conversations in an account's behaviour."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from crm.demo import _notes as notes
from crm.demo._behaviour import BehaviourWriter
from crm.demo._world import AccountPlan, department_of


class EventWriter(BehaviourWriter):
    """Behaviour plus conversations: everything the timeline and the sales history write."""

    def email(
        self,
        plan: AccountPlan,
        phase: str,
        direction: str,
        start: datetime,
        end: datetime,
        contact: dict[str, Any] | None = None,
        product: Any = None,
        deal_id: str | None = None,
    ) -> None:
        rng = self.rng
        product = product or rng.choice(plan.interest)
        if contact is None:
            pool = {"negotiation": "procurement", "purchase": "procurement"}.get(phase)
            contact = plan.role(pool) if pool and rng.random() < 0.7 else None
            contact = contact or rng.choice(
                [plan.champion, plan.decision_maker, *plan.contacts[:3]]
            )
        subject, body = notes.email(
            rng,
            phase,
            direction,
            product=product,
            contact=contact,
            decision_maker=plan.decision_maker,
        )
        self.add(
            plan,
            f"email_{direction}",
            self.at(start, end, office_hours=True),
            contact_id=contact["id"] if contact else None,
            product_id=product.product_id,
            subject=subject,
            body=body,
            meta={"direction": direction, **({"deal_id": deal_id} if deal_id else {})},
        )

    def call(self, plan: AccountPlan, answered: bool, start: datetime, end: datetime) -> None:
        rng = self.rng
        contact = rng.choice(
            [p for p in (plan.champion, plan.role("procurement"), plan.decision_maker) if p]
            or plan.contacts
        )
        kind = "call_answered" if answered else "call_missed"
        self.add(
            plan,
            kind,
            self.at(start, end, office_hours=True),
            contact_id=contact["id"],
            subject=(
                f"Call with {notes.name(contact)}"
                if answered
                else f"Missed call: {notes.name(contact)}"
            ),
            duration_s=rng.randint(90, 1800) if answered else 0,
            meta={"direction": "outbound" if rng.random() < 0.75 else "inbound"},
        )

    def meeting(
        self,
        plan: AccountPlan,
        phase: str,
        start: datetime,
        end: datetime,
        deal_id: str | None = None,
        product: Any = None,
        dm_present: bool | None = None,
    ) -> None:
        rng = self.rng
        product = product or rng.choice(plan.interest)
        if dm_present is None:
            dm_chance = {
                "research": 0.1,
                "evaluation": 0.45,
                "negotiation": 0.75,
                "purchase": 0.8,
            }.get(phase, 0.1)
            dm_present = rng.random() < dm_chance
        # The head of the department that would use the product leads clinical meetings.
        user = next(
            (
                head
                for head in plan.roles.get("clinical_head", [])
                if head["department"] == department_of(product)
            ),
            plan.champion,
        )
        department = user["department"] if user else department_of(product)
        lead = plan.role("procurement") if phase in ("negotiation", "purchase") else user
        others = [
            p
            for p in [
                *plan.roles.get("engineer", []),
                *plan.roles.get("nurse", []),
                plan.role("procurement"),
            ]
            if p and p is not lead
        ]
        others = rng.sample(others, k=min(len(others), rng.randint(0, 2)))
        attendees = [p for p in [lead, *others] if p]
        decision_maker = plan.decision_maker
        if dm_present and decision_maker is not None and decision_maker not in attendees:
            attendees.append(decision_maker)
        budget_hint = None
        if phase in ("evaluation", "negotiation", "purchase") and rng.random() < 0.35:
            budget_hint = notes.millions(
                plan.budget_now * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))
            )
        subject, body = notes.meeting(
            rng,
            phase,
            product=product,
            department=department,
            champion=user,
            decision_maker=plan.decision_maker,
            dm_present=dm_present,
            others=others,
            budget_hint=budget_hint,
        )
        meta: dict[str, Any] = {
            "attendees": [p["id"] for p in attendees],
            "location": rng.choice(("on-site", "on-site", "video")),
        }
        if deal_id:
            meta["deal_id"] = deal_id
        self.add(
            plan,
            "meeting",
            self.at(start, end, office_hours=True),
            contact_id=lead["id"] if lead else None,
            product_id=product.product_id,
            subject=subject,
            body=body,
            duration_s=rng.choice((1800, 2700, 3600, 5400)),
            meta=meta,
        )

    def tender(self, plan: AccountPlan, product: Any, start: datetime, end: datetime) -> None:
        rng = self.rng
        quantity = max(1, int(rng.uniform(1, 4) * (1 if product.list_price > 500_000 else 3)))
        ceiling = product.list_price * quantity * Decimal(str(round(rng.uniform(0.85, 1.05), 3)))
        ceiling = ceiling.quantize(Decimal(1000))
        when = self.at(start, end)
        tender_no = f"{plan.row['city'][:2].upper()}-{when.year}-{rng.randint(100, 999)}"
        deadline = (when + timedelta(days=rng.randint(14, 40))).date().isoformat()
        subject, body = notes.tender(
            account_name=plan.row["name"],
            product=product,
            quantity=quantity,
            ceiling=ceiling,
            tender_no=tender_no,
            deadline=deadline,
        )
        self.add(
            plan,
            "tender_announcement",
            when,
            contact_id=(plan.role("procurement") or {}).get("id"),
            product_id=product.product_id,
            subject=subject,
            body=body,
            url=f"https://tenders.example.cn/{tender_no.lower()}",
            meta={
                "tender_no": tender_no,
                "quantity": quantity,
                "budget_ceiling": str(ceiling),
                "deadline": deadline,
            },
        )
