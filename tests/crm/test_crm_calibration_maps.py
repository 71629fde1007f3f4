"""Calibration maps: versions per agent, application of stored parameters, refusal of bad ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from crm.calibration_maps import CalibrationMaps, apply_map
from crm.db import Base
from crm.errors import InvalidQuery, NotFound

T0 = datetime(2026, 11, 1, tzinfo=UTC)
ISOTONIC = {"x": [0.2, 0.5, 0.9], "y": [0.1, 0.6, 0.8]}


def _only_maps(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    if type_ == "table":
        return name == "calibration_maps"
    table = getattr(obj, "table", None)
    return table is None or table.name == "calibration_maps"


def test_migration_matches_the_model(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _only_maps}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_each_fit_is_a_new_version_and_the_newest_is_current(engine: Engine) -> None:
    maps = CalibrationMaps(engine)
    assert maps.current("budget") is None
    assert maps.apply("budget", 0.5) is None
    first = maps.add(agent="budget", method="platt", parameters={"coef": 2.0, "intercept": -1.0},
                     n=12, training_batch_id="B1", fitted_at=T0)  # fmt: skip
    second = maps.add(agent="budget", method="isotonic", parameters=ISOTONIC, n=80,
                      training_batch_id="B2", metrics={"ece": 0.02}, fitted_at=T0 + timedelta(days=30))  # fmt: skip
    maps.add(agent="lead_scoring", method="platt", parameters={"coef": 1.0, "intercept": 0.0}, n=5)
    assert first.id != second.id
    assert maps.current("budget") == second
    assert [m.id for m in maps.history(agent="budget")] == [second.id, first.id]
    assert maps.get(map_id=first.id).training_batch_id == "B1"
    assert [m.id for m in maps.fitted_on(batch_id="B2")] == [second.id]
    calibrated, map_id = maps.apply("budget", 0.35)  # type: ignore[misc]
    assert map_id == second.id
    assert calibrated == pytest.approx(0.1 + (0.35 - 0.2) * (0.5 / 0.3))


def test_unknown_map_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        CalibrationMaps(engine).get(map_id="nope")


@pytest.mark.parametrize(
    ("method", "parameters"),
    [
        ("isotonic", {"x": [0.1, 0.5], "y": [0.2]}),
        ("isotonic", {"x": [], "y": []}),
        ("isotonic", {"x": [0.5, 0.1], "y": [0.2, 0.3]}),
        ("isotonic", {"x": [0.1, "a"], "y": [0.2, 0.3]}),
        ("platt", {"coef": float("nan"), "intercept": 0.0}),
        ("platt", {"coef": 1.0}),
        ("beta", {"a": 1.0}),
    ],
)
def test_bad_parameters_are_refused_and_nothing_is_stored(
    engine: Engine, method: str, parameters: dict[str, object]
) -> None:
    maps = CalibrationMaps(engine)
    with pytest.raises(InvalidQuery):
        maps.add(agent="budget", method=method, parameters=parameters, n=3)
    assert maps.history() == []


def test_isotonic_clips_outside_the_thresholds_and_platt_stays_in_range() -> None:
    assert apply_map("isotonic", ISOTONIC, 0.0) == 0.1
    assert apply_map("isotonic", ISOTONIC, 1.0) == 0.8
    assert apply_map("isotonic", ISOTONIC, 0.5) == 0.6
    assert apply_map("platt", {"coef": 800.0, "intercept": 0.0}, -1.0) == pytest.approx(0.0)
    assert apply_map("platt", {"coef": 800.0, "intercept": 0.0}, 1.0) == pytest.approx(1.0)
    assert apply_map("platt", {"coef": 0.0, "intercept": 0.0}, 0.7) == 0.5
