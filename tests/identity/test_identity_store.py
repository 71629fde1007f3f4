"""Identity tables: the migration matches the models; territories and their expansion."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from crm.db import Base
from crm.demo import _vocab
from identity.errors import IdentityNotFound, InvalidIdentityInput, NameTaken
from identity.services import IdentityServices
from identity.territories import DEMO_REGIONS, TerritoryTree

TABLES = {"users", "api_keys", "sessions", "territories"}


def _only_identity(
    obj: object, name: str | None, type_: str, reflected: bool, other: object
) -> bool:
    if type_ == "table":
        return name in TABLES
    table = getattr(obj, "table", None)
    return table is None or table.name in TABLES


def test_migration_matches_the_models(identity_engine: Engine) -> None:
    with identity_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _only_identity}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_demo_tree_puts_china_above_the_demo_regions(identity: IdentityServices) -> None:
    assert set(DEMO_REGIONS) == set(_vocab.REGIONS)
    tree = identity.territories.tree()
    assert tree.expand(["China"]) == {"China", *DEMO_REGIONS}
    assert tree.expand(["East"]) == {"East"}
    assert tree.expand([]) == frozenset()


def test_a_territory_covers_every_descendant_and_unknown_names_cover_themselves() -> None:
    tree = TerritoryTree({"A": None, "B": "A", "C": "B", "D": "A", "E": None})
    assert tree.expand(["A"]) == {"A", "B", "C", "D"}
    assert tree.expand(["B", "E"]) == {"B", "C", "E"}
    assert tree.expand(["Atlantis"]) == {"Atlantis"}
    assert tree.within(["C"], tree.expand(["B"]))
    assert not tree.within(["D"], tree.expand(["B"]))
    assert not tree.within([], tree.expand(["A"]))  # a user without territories is nobody's


def test_adding_territories(identity: IdentityServices) -> None:
    territories = identity.territories
    territories.add("Shanghai", parent="East")
    territories.add("Shanghai", parent="East")  # the same again: nothing to do
    assert territories.tree().expand(["China"]) >= {"Shanghai"}
    with pytest.raises(NameTaken, match="below 'East'"):
        territories.add("Shanghai", parent="North")
    with pytest.raises(IdentityNotFound, match="Atlantis"):
        territories.add("Pudong", parent="Atlantis")
    with pytest.raises(InvalidIdentityInput, match="territory name"):
        territories.add("")
    with pytest.raises(InvalidIdentityInput, match="unknown territory 'Mars'; known: Central"):
        territories.require_known(["East", "Mars"])
