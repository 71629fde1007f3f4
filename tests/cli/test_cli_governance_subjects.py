"""``crm-agents governance consent|export|erase``, in-process with typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from composition.database import shared_database
from core.settings import get_settings
from crm.db import make_engine, migrate
from tests.support.canary_world import CANARY, COLLEAGUE, NAME, seed_canary_crm

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder holding the canary CRM."""
    data = tmp_path / "data"
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(data))
    get_settings.cache_clear()
    url = get_settings().resolved_database_url
    migrate(url)
    engine = make_engine(url)
    seed_canary_crm(engine)
    engine.dispose()
    yield data
    get_settings.cache_clear()


def _json(output: str) -> dict[str, object]:
    return json.loads(output[output.index("{") :])  # type: ignore[no-any-return]


def test_consent_grant_revoke_and_show(data_dir: Path) -> None:
    args = ["--purpose", "marketing", "--notice-version", "2026-11"]
    granted = runner.invoke(app, ["governance", "consent", "grant", COLLEAGUE, *args])
    assert granted.exit_code == 0, granted.output
    assert _json(granted.output)["source"] == "cli"
    assert _json(granted.output)["actor_id"] == "system:cli"  # the operator at the machine
    shown = _json(runner.invoke(app, ["governance", "consent", "show", COLLEAGUE]).output)
    assert shown["status"] == {"ai_processing": True, "model_training": False, "marketing": True}
    revoked = runner.invoke(app, ["governance", "consent", "revoke", COLLEAGUE, *args])
    assert revoked.exit_code == 0
    shown = _json(runner.invoke(app, ["governance", "consent", "show", COLLEAGUE]).output)
    assert shown["status"]["marketing"] is False and len(shown["history"]) == 3  # type: ignore[arg-type]
    assert (data_dir / "keys" / "consent_hmac.key").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grant", "CON-00000", "--purpose", "marketing", "--notice-version", "v1"], "not found"),
        (["grant", COLLEAGUE, "--purpose", "spam", "--notice-version", "v1"], "purpose"),
        (["revoke", COLLEAGUE, "--purpose", "marketing", "--notice-version", "a b"], "notice"),
    ],
)
def test_bad_consent_commands_fail_with_a_message(
    data_dir: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["governance", "consent", *args])
    assert result.exit_code == 1 and message in result.output


def test_export_and_erase(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    exported = runner.invoke(app, ["governance", "export", CANARY, "--output", str(target)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["stores"]["crm"]["contact"]["id"] == CANARY
    assert len(document["stores"]["calibration"]) == 1

    refused = runner.invoke(app, ["governance", "erase", CANARY])
    assert refused.exit_code == 2 and "--yes" in refused.output
    erased = runner.invoke(app, ["governance", "erase", CANARY, "--yes"])
    assert erased.exit_code == 0, erased.output
    receipt = _json(erased.output)
    assert receipt["complete"] is True and NAME not in erased.output
    gone = runner.invoke(app, ["governance", "export", CANARY])
    assert gone.exit_code == 1 and "not found" in gone.output
    # The ledger names who exported and erased: the command line, as a system actor.
    with shared_database(get_settings()) as database:
        entries = database.audit.ledger.entries(actor="system:cli")
    assert [e.kind for e in entries] == ["subject_exported", "subject_erased"]
