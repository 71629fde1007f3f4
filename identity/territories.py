"""Sales territories and the hierarchy above them: a territory covers all its descendants.

A manager of "China" sees East, North, South, Central and West; a manager of "East" sees East
and whatever is later placed under it. Accounts carry the name of their territory in
``accounts.region``, so the names here are the values the account scope matches.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from crm.db import session_factory
from identity.errors import IdentityNotFound, InvalidIdentityInput, NameTaken
from identity.models import TERRITORY_LENGTH, TerritoryRow

_NAME = re.compile(rf"^\w[\w .&'\-]{{0,{TERRITORY_LENGTH - 1}}}$")

# The demo's tree: the country above the five regions of ``crm/demo/_vocab.py``.
DEMO_COUNTRY = "China"
DEMO_REGIONS = ("East", "North", "South", "Central", "West")
TREE_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class TerritoryTree:
    """Territory name -> the territory above it (``None`` at the top); a plain value, cheap
    to keep per request and to test."""

    parents: Mapping[str, str | None]

    def children(self) -> dict[str, list[str]]:
        """Territory name -> the territories directly below it."""
        below: dict[str, list[str]] = {}
        for name, parent in self.parents.items():
            if parent is not None:
                below.setdefault(parent, []).append(name)
        return below

    def expand(self, names: Iterable[str]) -> frozenset[str]:
        """``names`` and every territory below any of them. A name the tree does not hold
        covers just itself (accounts may name a territory nobody placed in the tree yet)."""
        below = self.children()
        covered: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in covered:
                covered.add(name)
                pending.extend(below.get(name, ()))
        return frozenset(covered)

    def within(self, names: Iterable[str], covering: frozenset[str]) -> bool:
        """Whether every one of ``names`` lies inside ``covering`` (an expanded set); an empty
        ``names`` lies inside nothing, so a user without territories is nobody's report."""
        wanted = self.expand(names)
        return bool(wanted) and wanted <= covering


class Territories:
    """The ``territories`` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._cached: tuple[float, TerritoryTree] | None = None

    def tree(self) -> TerritoryTree:
        """Every territory with its parent, as read at most ``TREE_TTL_SECONDS`` ago.

        Every request that builds an account scope needs the tree, and it changes a few times a
        year: a short cache saves a query per request. A territory added in this process is
        seen at once; one added by another replica within the cache's lifetime.
        """
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < TREE_TTL_SECONDS:
            return cached[1]
        with self._engine.connect() as connection:
            rows = connection.execute(select(TerritoryRow.name, TerritoryRow.parent)).all()
        tree = TerritoryTree({name: parent for name, parent in rows})
        self._cached = (time.monotonic(), tree)
        return tree

    def add(self, name: str, *, parent: str | None = None) -> None:
        """Add a territory below ``parent`` (which must exist); adding one that exists with the
        same parent does nothing, with another parent is refused."""
        if not _NAME.match(name):
            raise InvalidIdentityInput(
                f"territory name {name!r} must be 1-{TERRITORY_LENGTH} letters, digits, spaces"
                " or .&'-"
            )
        with self._sessions() as session:
            existing = session.get(TerritoryRow, name)
            parent_known = parent is None or session.get(TerritoryRow, parent) is not None
        if existing is not None:
            if existing.parent == parent:
                return
            raise NameTaken(f"territory {name!r} exists already, below {existing.parent!r}")
        if not parent_known:
            raise IdentityNotFound("territory", str(parent))
        try:
            with self._sessions.begin() as session:
                session.add(TerritoryRow(name=name, parent=parent))
        except IntegrityError:  # added (or its parent removed) meanwhile: say which
            with self._sessions() as session:
                existing = session.get(TerritoryRow, name)
            if existing is None:
                raise IdentityNotFound("territory", str(parent)) from None
            if existing.parent != parent:
                raise NameTaken(
                    f"territory {name!r} exists already, below {existing.parent!r}"
                ) from None
        self._cached = None

    def require_known(self, names: Iterable[str]) -> tuple[str, ...]:
        """``names`` without duplicates, in order, after checking that each is a territory."""
        wanted = tuple(dict.fromkeys(names))
        known = self.tree().parents
        unknown = [name for name in wanted if name not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none yet (crm-agents auth add-territory)"
            raise InvalidIdentityInput(f"unknown territory {unknown[0]!r}; known: {listed}")
        return wanted


def seed_demo_territories(territories: Territories) -> int:
    """The demo's tree (China above its five regions); returns how many were new."""
    before = len(territories.tree().parents)
    territories.add(DEMO_COUNTRY)
    for region in DEMO_REGIONS:
        territories.add(region, parent=DEMO_COUNTRY)
    return len(territories.tree().parents) - before
