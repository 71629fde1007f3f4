"""``crm-agents governance verify`` and ``passport``, in-process with typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from cli.main import app
from core.actor import acting_as
from core.recommendation import Fact, Recommendation
from core.settings import Settings, get_settings
from crm.db import migrate, session_factory
from governance.audit_models import AuditEntryRow, AuditEntrySubjectRow
from governance.audit_services import AuditServices, open_audit_services
from governance.recorder import SignedAuditedRecorder
from tests.support.audit_world import ANNA, seed_two_people

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(data))
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


@pytest.fixture
def ledger(data_dir: Path) -> Iterator[AuditServices]:
    settings = Settings(_env_file=None, data_dir=data_dir)
    migrate(settings.resolved_database_url)
    audit = open_audit_services(settings, checkpoint_every=5)
    seed_two_people(audit.engine)
    recorder = SignedAuditedRecorder(
        None, ledger=audit.ledger, signed_output=audit.signed_output, crm_engine=audit.engine
    )
    for i in range(12):
        recorder.record(
            Recommendation(
                kind="next_action",
                agent="next_action",
                content=f"Plan {i}",
                confidence=0.5,
                subject={"contact_id": ANNA},
                provenance=[Fact(source="contacts", record_id=ANNA, field="title")],
            )
        )
    yield audit
    audit.close()


def test_verify_passes_then_names_the_first_bad_entry(ledger: AuditServices) -> None:
    result = runner.invoke(app, ["governance", "verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output and "12 entries" in result.output

    with session_factory(ledger.engine)() as session:  # drop entry 9 of 12
        session.execute(delete(AuditEntrySubjectRow).where(AuditEntrySubjectRow.seq == 9))
        session.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 9))
        session.commit()
    result = runner.invoke(app, ["governance", "verify"])
    assert result.exit_code == 1
    assert "entry 9" in result.output and "missing" in result.output

    as_json = runner.invoke(app, ["governance", "verify", "--json"])
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False and report["first_bad_seq"] == 9


def test_verify_of_a_fresh_install_passes(data_dir: Path) -> None:
    result = runner.invoke(app, ["governance", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 entries" in result.output
    assert (data_dir / "keys" / "ledger_ed25519.pem").exists()  # the key is made on first run


def test_passport_prints_json_and_writes_the_page(ledger: AuditServices, tmp_path: Path) -> None:
    page = tmp_path / "passport.html"
    result = runner.invoke(app, ["governance", "passport", ANNA, "--html", str(page)])
    assert result.exit_code == 0, result.output
    passport = json.loads(result.stdout)
    assert passport["contact_id"] == ANNA and len(passport["uses"]) == 12
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")
    unknown = runner.invoke(app, ["governance", "passport", "CON-00000"])
    assert unknown.exit_code == 1 and "not found" in unknown.output


def test_the_audit_listing_shows_and_filters_by_actor(ledger: AuditServices) -> None:
    with acting_as({"user_id": "u-anna-rep", "roles": ["rep"], "via": "session"}):
        ledger.ledger.append("subject_exported", {"contact_ids": [ANNA]})
    listed = runner.invoke(app, ["governance", "audit", "--actor", "u-anna-rep"])
    assert listed.exit_code == 0, listed.output
    assert "subject_exported" in listed.output and "u-anna-rep" in listed.output
    assert "1 of 1 entries" in listed.output
    everything = runner.invoke(app, ["governance", "audit", "--limit", "2"])
    # The recorder's entries were written outside any request, run or command: named so.
    assert "system:unattributed" in everything.output and "2 of 13 entries" in everything.output
    as_json = json.loads(
        runner.invoke(app, ["governance", "audit", "--actor", "u-anna-rep", "--json"]).output
    )
    assert [e["actor"]["user_id"] for e in as_json] == ["u-anna-rep"]
    assert runner.invoke(app, ["governance", "audit", "--limit", "0"]).exit_code == 2
