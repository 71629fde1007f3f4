"""Behaviour events drawn from each account's hidden buying stage.

An account walks through buying phases (awareness -> research -> evaluation -> negotiation ->
purchase); each phase leaves its own mix of visits, downloads, e-mails, calls, meetings and
tenders. Dormant accounts walked part of the way long ago and went quiet.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from crm.demo import _vocab as v
from crm.demo._world import NOW, AccountPlan

PHASES = ("awareness", "research", "evaluation", "negotiation", "purchase")
PHASE_DAYS = {
    "awareness": (120, 300),
    "research": (60, 150),
    "evaluation": (45, 120),
    "negotiation": (30, 75),
    "purchase": (20, 45),
}
# Per phase: (web sessions, downloads, emails in, emails out, calls answered, calls missed,
# meetings) as inclusive ranges, before the account's size factor.
INTENSITY: dict[str, tuple[tuple[int, int], ...]] = {
    "awareness": ((4, 10), (0, 1), (0, 0), (2, 5), (0, 1), (1, 3), (0, 0)),
    "research": ((12, 24), (3, 7), (1, 3), (2, 4), (1, 2), (1, 2), (0, 1)),
    "evaluation": ((18, 34), (5, 10), (3, 6), (3, 6), (2, 4), (0, 2), (2, 4)),
    "negotiation": ((8, 16), (1, 3), (4, 8), (4, 8), (3, 6), (0, 1), (2, 3)),
    "purchase": ((5, 10), (0, 2), (3, 6), (3, 5), (2, 4), (0, 1), (1, 2)),
}
HISTORY_DAYS = 730


def size_factor(plan: AccountPlan) -> float:
    """Bigger and more strategic accounts leave more traces."""
    industry = plan.row["industry"]
    base = {"clinic": 0.55, "lab": 0.7}.get(industry, 0.6 + (plan.row["beds"] or 0) / 3000)
    return min(base, 1.6) * (1.2 if plan.row["tier"] == "strategic" else 1.0)


class BehaviourWriter:
    """Appends events (dicts without ids) for one account at a time."""

    def __init__(self, rng: random.Random, events: list[dict[str, Any]]) -> None:
        self.rng = rng
        self.events = events
        self.sessions = 0

    def at(self, start: datetime, end: datetime, office_hours: bool = False) -> datetime:
        span = max(int((end - start).total_seconds()), 1)
        moment = start + timedelta(seconds=self.rng.randrange(span))
        if office_hours:  # 09:00-18:00 in China is 01:00-10:00 UTC
            moment = moment.replace(hour=self.rng.randint(1, 9), minute=self.rng.randint(0, 59))
        return min(moment.replace(microsecond=0), NOW - timedelta(minutes=1))

    def add(self, plan: AccountPlan, kind: str, when: datetime, **values: Any) -> None:
        event: dict[str, Any] = {
            "account_id": plan.id,
            "contact_id": None,
            "kind": kind,
            "occurred_at": when,
            "product_id": None,
            "url": None,
            "subject": None,
            "body": None,
            "duration_s": None,
            "meta": {},
        }
        event.update(values)
        self.events.append(event)

    # Web sessions and downloads ------------------------------------------------------------

    def _page(self, phase: str, plan: AccountPlan, catalogue: list[Any]) -> tuple[str, str, Any]:
        rng = self.rng
        roll = rng.random()
        focus = {
            "awareness": 0.15,
            "research": 0.4,
            "evaluation": 0.8,
            "negotiation": 0.5,
            "purchase": 0.4,
            "background": 0.05,
        }[phase]
        if phase in ("negotiation", "purchase") and roll < 0.35:
            path = rng.choice(
                (
                    "/pricing",
                    "/service/warranty",
                    "/service/installation",
                    "/training",
                    "/financing",
                )
            )
            return path, path.strip("/").split("/")[-1], None
        if roll < focus or (phase == "research" and roll < 0.8):
            product = (
                rng.choice(plan.interest) if rng.random() < focus + 0.2 else rng.choice(catalogue)
            )
            suffix, page_type = rng.choice(
                (
                    ("", "product"),
                    ("/specs", "specs"),
                    ("/case-studies", "case_study"),
                    ("/compare", "compare"),
                )
            )
            return f"/products/{product.sku.lower()}{suffix}", page_type, product
        if phase != "background" and roll < 0.85:
            product = rng.choice(plan.interest if rng.random() < 0.5 else catalogue)
            slug = product.category.lower().replace(" ", "-")
            return f"/categories/{slug}", "category", product
        path, page_type = rng.choice(v.GENERIC_PAGES)
        return path, page_type, None

    def web_session(
        self, plan: AccountPlan, phase: str, start: datetime, end: datetime, catalogue: list[Any]
    ) -> None:
        rng = self.rng
        self.sessions += 1
        session = f"S-{self.sessions:06d}"
        when = self.at(start, end)
        visitor = None
        if phase not in ("background", "awareness") and rng.random() < 0.3:
            visitor = rng.choice([plan.champion, *plan.roles.get("engineer", [])])
        referrer = rng.choice(v.REFERRERS)
        for _ in range(rng.randint(2, 7)):
            path, page_type, product = self._page(phase, plan, catalogue)
            duration = rng.randint(8, 420 if page_type in ("specs", "compare") else 180)
            self.add(
                plan,
                "web_visit",
                when,
                contact_id=visitor["id"] if visitor else None,
                product_id=product.product_id if product else None,
                url=v.SITE + path,
                duration_s=duration,
                meta={"session": session, "page_type": page_type, "referrer": referrer},
            )
            when = min(when + timedelta(seconds=duration + rng.randint(2, 40)), NOW)

    def download(
        self, plan: AccountPlan, phase: str, start: datetime, end: datetime, catalogue: list[Any]
    ) -> None:
        rng = self.rng
        product = rng.choice(
            plan.interest if phase != "research" or rng.random() < 0.4 else catalogue
        )
        contact = rng.choice([plan.champion, *plan.roles.get("engineer", [])])
        when = self.at(start, end)
        if product.documents:
            doc = rng.choice(product.documents)
            self.add(
                plan,
                "content_download",
                when,
                contact_id=contact["id"] if contact else None,
                product_id=product.product_id,
                url=f"{v.SITE}/resources/{doc.document_id.lower()}",
                subject=doc.title,
                meta={
                    "document_id": doc.document_id,
                    "document_kind": doc.kind,
                    "version": doc.version,
                },
            )
        else:
            self.add(
                plan,
                "content_download",
                when,
                contact_id=contact["id"] if contact else None,
                product_id=product.product_id,
                subject=f"{product.name} brochure",
                url=f"{v.SITE}/resources/{product.sku.lower()}-brochure",
                meta={"document_kind": "brochure"},
            )
