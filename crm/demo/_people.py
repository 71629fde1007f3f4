"""Contacts with reporting lines, and who in each account champions and decides."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from crm.demo import _vocab as v
from crm.demo._world import NOW, AccountPlan, department_of


class _ContactMaker:
    """Creates contacts with globally sequential ids and unique e-mail addresses per account."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.number = 0

    def __call__(
        self,
        plan: AccountPlan,
        role: str,
        title: str,
        department: str,
        seniority: str,
        boss: dict[str, Any] | None,
    ) -> dict[str, Any]:
        rng = self.rng
        self.number += 1
        given = rng.choice(v.GIVEN_SYLLABLES)
        if rng.random() < 0.6:
            given += rng.choice(v.GIVEN_SYLLABLES).lower()
        surname = rng.choice(v.SURNAMES)
        domain = "".join(word[0] for word in plan.row["name"].replace("'", "").split()).lower()
        created = plan.row["created_at"] + timedelta(
            seconds=rng.randint(0, int((NOW - plan.row["created_at"]).total_seconds() * 0.8))
        )
        contact = {
            "id": f"CON-{self.number:05d}",
            "account_id": plan.id,
            "first_name": given,
            "last_name": surname,
            "title": title,
            "department": department,
            "seniority": seniority,
            "reports_to": boss["id"] if boss else None,
            "email": f"{given.lower()}.{surname.lower()}.{self.number}@{domain}.hospital.example",
            "phone": f"+86 1{rng.randint(30, 99)} {rng.randint(0, 9999):04d} "
            f"{rng.randint(0, 9999):04d}",
            "created_at": created,
        }
        plan.contacts.append(contact)
        plan.roles.setdefault(role, []).append(contact)
        return contact


def _departments(rng: random.Random, plan: AccountPlan) -> list[str]:
    preferred = list(v.HOSPITAL_TYPE_DEPARTMENTS.get(plan.row["hospital_type"], ()))
    others = [d for d in v.CLINICAL_DEPARTMENTS if d not in preferred]
    rng.shuffle(others)
    beds = plan.row["beds"] or 0
    wanted = 2 + min(3, beds // 700)
    return (preferred + others)[: max(wanted, len(preferred))]


def _choose_interest(rng: random.Random, plan: AccountPlan, catalogue: list[Any]) -> None:
    if plan.row["industry"] == "lab":
        plan.departments = ["Clinical Laboratory"]
    elif plan.row["industry"] == "clinic":
        plan.departments = _departments(rng, plan)[:1]
    else:
        plan.departments = _departments(rng, plan)
    fitting = [p for p in catalogue if department_of(p) in plan.departments]
    first = rng.choice(fitting or catalogue)
    if department_of(first) not in plan.departments:
        plan.departments.append(department_of(first))
    related = [p for p in catalogue if p is not first and p.category == first.category]
    related += [p for p in fitting if p is not first and p not in related]
    extra = rng.sample(related, k=min(len(related), rng.choice((0, 1, 1, 2))))
    plan.interest = [first, *extra]


def _hospital(make: _ContactMaker, rng: random.Random, plan: AccountPlan) -> None:
    top = make(plan, "top", "President", v.ADMIN, "executive", None)
    vp_med = make(plan, "exec", "Vice President, Medical Affairs", v.ADMIN, "executive", top)
    vp_ops = vp_med
    if (plan.row["beds"] or 0) >= 600 or rng.random() < 0.4:
        vp_ops = make(plan, "exec", "Vice President, Operations", v.ADMIN, "executive", top)
    equip = make(
        plan,
        "equipment_head",
        "Director, Medical Equipment Department",
        v.EQUIPMENT,
        "director",
        vp_ops,
    )
    make(
        plan,
        "procurement",
        "Procurement Manager",
        v.PROCUREMENT,
        "manager",
        equip if rng.random() < 0.6 else vp_ops,
    )
    if (plan.row["beds"] or 0) >= 800:
        make(plan, "finance", "Director of Finance", v.FINANCE, "director", top)
    for _ in range(rng.randint(1, 3)):
        make(
            plan,
            "engineer",
            rng.choice(("Biomedical Engineer", "Senior Biomedical Engineer")),
            v.EQUIPMENT,
            "staff",
            equip,
        )
    for department in plan.departments:
        head = make(plan, "clinical_head", f"Head of {department}", department, "director", vp_med)
        if rng.random() < 0.6:
            make(plan, "nurse", f"Head Nurse, {department}", department, "manager", head)
        if rng.random() < 0.5:
            make(plan, "physician", f"Attending Physician, {department}", department, "staff", head)


def _clinic(make: _ContactMaker, rng: random.Random, plan: AccountPlan) -> None:
    top = make(plan, "top", "Clinic Director", v.ADMIN, "executive", None)
    ops = make(plan, "equipment_head", "Operations Manager", v.ADMIN, "director", top)
    make(plan, "procurement", "Purchasing Officer", v.PROCUREMENT, "staff", ops)
    department = plan.departments[0]
    make(plan, "clinical_head", f"Head Nurse, {department}", department, "manager", top)
    for _ in range(rng.randint(0, 2)):
        make(plan, "physician", "General Practitioner", department, "staff", top)


def _lab(make: _ContactMaker, rng: random.Random, plan: AccountPlan) -> None:
    top = make(plan, "top", "Laboratory Director", v.ADMIN, "executive", None)
    quality = make(plan, "equipment_head", "Quality Manager", "Quality", "director", top)
    make(plan, "procurement", "Procurement Officer", v.PROCUREMENT, "manager", top)
    lead = make(plan, "clinical_head", "Technical Lead", "Clinical Laboratory", "manager", quality)
    for _ in range(rng.randint(1, 3)):
        make(plan, "engineer", "Senior Laboratory Technician", "Clinical Laboratory", "staff", lead)


def _decision_maker(rng: random.Random, plan: AccountPlan) -> dict[str, Any]:
    industry = plan.row["industry"]
    if industry == "hospital":
        execs = plan.roles["exec"]
        choices = [
            (execs[-1], 35),
            (plan.role("equipment_head"), 25),
            (execs[0], 15),
            (plan.role("top"), 10),
            (plan.champion, 15),
        ]
    elif industry == "clinic":
        choices = [(plan.role("top"), 80), (plan.role("equipment_head"), 20)]
    else:
        choices = [(plan.role("top"), 70), (plan.role("equipment_head"), 30)]
    people = [person for person, _ in choices if person is not None]
    weights = [weight for person, weight in choices if person is not None]
    return rng.choices(people, weights)[0]


def build_people(rng: random.Random, plans: list[AccountPlan], catalogue: list[Any]) -> None:
    """Fill every plan with contacts, interest products, its champion and decision maker."""
    make = _ContactMaker(rng)
    builders = {"hospital": _hospital, "clinic": _clinic, "lab": _lab}
    for plan in plans:
        _choose_interest(rng, plan, catalogue)
        builders[plan.row["industry"]](make, rng, plan)
        interest_department = department_of(plan.interest[0])
        heads = plan.roles.get("clinical_head", [])
        plan.champion = next(
            (head for head in heads if head["department"] == interest_department),
            heads[0] if heads else plan.role("equipment_head"),
        )
        plan.decision_maker = _decision_maker(rng, plan)
