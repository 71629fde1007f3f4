"""The action decision tables: migration equals models, one decision per action, cascades."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, delete, inspect

from crm import models as m
from crm import session_factory
from crm.actions import EFFECT_ROWS, ActionDecisionRow, ActionStore
from crm.db import Base
from crm.errors import InvalidQuery

TABLES = {"action_decisions", "crm_tasks", "email_outbox", "account_grades"}


def _action_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "table":
        return name in TABLES
    table = getattr(obj, "table", None)
    return table is None or table.name in TABLES


def test_migration_creates_the_tables_the_models_describe(engine: Engine) -> None:
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _action_object}
        )
        assert compare_metadata(context, Base.metadata) == []


def _account(engine: Engine) -> str:
    from datetime import UTC, datetime

    with session_factory(engine)() as session:
        session.add(
            m.Account(id="ACC-0001", name="A", industry="hospital", city="X", region="North",
                      tier="key", created_at=datetime.now(UTC))
        )  # fmt: skip
        session.commit()
    return "ACC-0001"


def _decide(store: ActionStore, account_id: str, **changes: object) -> tuple[object, bool]:
    from datetime import UTC, date, datetime

    values = {"account_id": account_id, "title": "Call back", "due_on": date(2026, 12, 1),
              "status": "open", "created_at": datetime.now(UTC)}  # fmt: skip
    options = {"recommendation_id": "rec-1", "action_index": 0, "kind": "create_task",
               "decision": "approve", "reviewer": None, "payload_sha256": "0" * 64,
               "account_id": account_id, "effect": ("crm_tasks", values)}  # fmt: skip
    return store.decide(**(options | changes))  # type: ignore[arg-type]


def test_an_action_is_decided_once_and_its_effect_written_with_it(engine: Engine) -> None:
    account_id = _account(engine)
    store = ActionStore(engine)
    first, stored = _decide(store, account_id)
    again, stored_again = _decide(store, account_id, decision="reject", effect=None)
    assert stored and not stored_again and again == first
    (task,) = store.effects("crm_tasks", account_id=account_id)
    assert task["decision_id"] == first.id and first.effect_id == task["id"]


def test_deleting_the_account_removes_decisions_and_effects(engine: Engine) -> None:
    account_id = _account(engine)
    _decide(ActionStore(engine), account_id)
    with session_factory(engine)() as session:
        session.execute(delete(m.Account).where(m.Account.id == account_id))
        session.commit()
        for model in (ActionDecisionRow, *EFFECT_ROWS.values()):
            assert session.query(model).count() == 0


@pytest.mark.parametrize("decision", ["maybe", "APPROVE"])
def test_unknown_decisions_are_refused(engine: Engine, decision: str) -> None:
    account_id = _account(engine)
    with pytest.raises(InvalidQuery, match="decision must be one of"):
        _decide(ActionStore(engine), account_id, decision=decision, effect=None)
    assert ActionStore(engine).decision(recommendation_id="rec-1", action_index=0) is None
