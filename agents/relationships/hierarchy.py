"""The organisation chart from ``reports_to``, made a forest: cycles broken, outside managers dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.relationships.models import DroppedLine, ReportingLine

SENIORITY_RANK = {"executive": 1.0, "director": 0.75, "manager": 0.5, "staff": 0.25}


@dataclass(frozen=True)
class Person:
    """What the chart needs of a contact."""

    contact_id: str
    seniority: str
    reports_to: str | None


@dataclass(frozen=True)
class OrgChart:
    """Managers after repair, the drawn edges, the dropped ones, and each person's reach."""

    managers: dict[str, str | None]
    edges: list[ReportingLine]
    dropped: list[DroppedLine]
    reach: dict[str, int]  # people below, directly or not

    def reach_share(self, contact_id: str) -> float:
        """Share of the rest of the account that reports (transitively) to this person."""
        others = len(self.managers) - 1
        return self.reach.get(contact_id, 0) / others if others > 0 else 0.0


def build_org_chart(people: Sequence[Person]) -> OrgChart:
    """A cycle-free chart. A cycle is cut at its most senior member (lowest id on ties), who is
    likeliest to be the real top; the cut line is reported, never silently lost."""
    known = {p.contact_id: p for p in people}
    managers: dict[str, str | None] = {}
    dropped: list[DroppedLine] = []
    for person in sorted(people, key=lambda p: p.contact_id):
        boss = person.reports_to
        if boss is not None and boss not in known:
            dropped.append(
                DroppedLine(source=person.contact_id, target=boss, reason="manager_not_in_account")
            )
            boss = None
        managers[person.contact_id] = boss
    while (cycle := _find_cycle(managers)) is not None:
        cut = min(cycle, key=lambda c: (-SENIORITY_RANK.get(known[c].seniority, 0.0), c))
        dropped.append(DroppedLine(source=cut, target=managers[cut] or "", reason="cycle"))
        managers[cut] = None
    edges = [
        ReportingLine(source=person, target=boss)
        for person, boss in managers.items()
        if boss is not None
    ]
    return OrgChart(managers=managers, edges=edges, dropped=dropped, reach=_reach(managers))


def _find_cycle(managers: dict[str, str | None]) -> list[str] | None:
    """The members of one cycle of the manager links, or None when there is none."""
    done: set[str] = set()
    for start in managers:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done:
            if node in on_path:
                return path[path.index(node) :]
            path.append(node)
            on_path.add(node)
            node = managers.get(node)
        done.update(path)
    return None


def _reach(managers: dict[str, str | None]) -> dict[str, int]:
    reach = dict.fromkeys(managers, 0)
    for person in managers:
        boss = managers[person]
        seen: set[str] = set()
        while boss is not None and boss not in seen:  # acyclic by now; the set is a guard
            seen.add(boss)
            reach[boss] += 1
            boss = managers.get(boss)
    return reach
