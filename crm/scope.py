"""Which accounts a reader may see, as a SQL condition the CRM store adds to its queries.

The identity policy (``identity/policy.py``) builds one from the signed-in user's role,
territories, team and rep; the store applies it in the ``WHERE`` clause of every query that
reaches an account or what hangs off one (contacts, deals, activities, notes, quotes), so an
account outside the scope is exactly as absent as an account that does not exist. Nothing
fetches every row and drops some afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from crm import models as m


@dataclass(frozen=True)
class AccountScope:
    """Accounts of any of ``regions`` (territory names, already expanded to their
    sub-territories), owned by any of ``owner_ids`` (rep ids), or owned by a rep of any of
    ``teams``; every account when ``everything``; none when all are empty."""

    everything: bool = False
    regions: frozenset[str] = frozenset()
    owner_ids: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()

    @classmethod
    def unrestricted(cls) -> AccountScope:
        """Every account: admins, the privacy officer, and code that runs for no one user."""
        return cls(everything=True)

    @classmethod
    def nothing(cls) -> AccountScope:
        """No account: what a reader acts with when nobody said for whom it reads."""
        return cls()

    def to_dict(self) -> dict[str, Any]:
        """This scope as JSON-ready data (sorted lists), for a run's config."""
        return {
            "everything": self.everything,
            "regions": sorted(self.regions),
            "owner_ids": sorted(self.owner_ids),
            "teams": sorted(self.teams),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccountScope:
        """The scope :meth:`to_dict` wrote; raises ValueError naming what is wrong, so a
        malformed scope in a run's config fails the run instead of widening what it reads."""
        if not isinstance(data, Mapping):
            raise ValueError(f"an account scope is an object, got {type(data).__name__}")
        unknown = set(data) - _SCOPE_KEYS
        if unknown:
            raise ValueError(f"unknown account scope keys: {', '.join(sorted(unknown))}")
        everything = data.get("everything", False)
        if not isinstance(everything, bool):
            raise ValueError("account scope 'everything' must be true or false")
        return cls(
            everything=everything,
            regions=_names(data, "regions"),
            owner_ids=_names(data, "owner_ids"),
            teams=_names(data, "teams"),
        )

    @property
    def is_empty(self) -> bool:
        """Whether this scope lets no account through."""
        return not (self.everything or self.regions or self.owner_ids or self.teams)

    def account_condition(self) -> ColumnElement[bool]:
        """The condition on ``accounts`` rows this scope admits."""
        if self.everything:
            return true()
        terms: list[ColumnElement[bool]] = []
        if self.regions:
            terms.append(m.Account.region.in_(sorted(self.regions)))
        if self.owner_ids:
            terms.append(m.Account.owner_id.in_(sorted(self.owner_ids)))
        if self.teams:
            team_reps = select(m.Rep.id).where(m.Rep.team.in_(sorted(self.teams)))
            terms.append(m.Account.owner_id.in_(team_reps.scalar_subquery()))
        return or_(*terms) if terms else false()

    def conditions(self, account_column: Any) -> list[ColumnElement[bool]]:
        """The ``WHERE`` terms that keep rows whose ``account_column`` (``Account.id`` or a
        table's ``account_id``) is in this scope: none for an unrestricted scope, so its
        queries stay exactly as they were. Spread them into ``.where(...)``."""
        if self.everything:
            return []
        if account_column is m.Account.id:
            return [self.account_condition()]
        return [account_column.in_(self.account_ids())]

    def account_ids(self) -> Select[tuple[str]]:
        """A subquery of the ids of the accounts this scope admits (for tables that hang off an
        account: ``Contact.account_id.in_(scope.account_ids())``)."""
        return select(m.Account.id).where(self.account_condition())


_SCOPE_KEYS = frozenset({"everything", "regions", "owner_ids", "teams"})


def _names(data: Mapping[str, Any], key: str) -> frozenset[str]:
    """A list of names of a serialised scope, checked (a bare string is not a list of them)."""
    value = data.get(key, ())
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"account scope {key!r} must be a list of names")
    if not all(isinstance(item, str) for item in value):
        raise ValueError(f"account scope {key!r} must hold names (strings) only")
    return frozenset(value)
