"""The services bundle signs and audits: every recorded recommendation is signed and lands in
the ledger, ``services.audit`` is the ledger, each model call is appended, and closing the
services stops auditing their model calls."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from composition.agents import create_services
from core.recommendation import Fact, Recommendation
from core.settings import Settings
from governance.audit_services import open_audit_services
from governance.ledger import AuditLedger
from governance.model_calls import audited_ledgers
from llm.scripted import scripted_model
from tools.agent_services import AgentServices


@pytest.fixture
def services(tmp_path: Path) -> Iterator[AgentServices]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", model="scripted/test",
                        model_max_retries=0)  # fmt: skip
    bundle = create_services(settings)
    yield bundle
    bundle.close()


def _wait_for(ledger: AuditLedger, kind: str, count: int) -> int:
    # litellm writes its success callbacks from a worker thread after the call returns.
    for _ in range(200):
        found = len(ledger.entries(kind=kind))
        if found >= count:
            return found
        time.sleep(0.05)
    return len(ledger.entries(kind=kind))


def test_recorded_recommendations_are_signed_and_audited(services: AgentServices) -> None:
    assert isinstance(services.audit, AuditLedger)
    assert services.recommendations is not None
    final = services.recommendations.record(
        Recommendation(
            kind="technical_answer",
            agent="technical_qa",
            content="The AX-200 runs on 230 V.",
            confidence=0.8,
            provenance=[Fact(source="product_docs", record_id="DOC-1#3", field="text")],
        )
    )
    assert (
        final.status == "final" and final.signature and final.content != "The AX-200 runs on 230 V."
    )
    entries = services.audit.entries(kind="recommendation")
    assert [e.payload["recommendation_id"] for e in entries] == [final.id]
    assert entries[0].payload["provenance"] == [
        {"source": "product_docs", "record_id": "DOC-1#3", "field": "text"}
    ]
    audit = open_audit_services(services.settings)
    try:
        verdict = audit.signed_output.verify_text("The AX-200 runs on 230 V.")
        assert (
            verdict.ours
            and verdict.unmodified
            and verdict.manifest_id == final.signature.split(".")[0]
        )
        assert audit.verify().ok
    finally:
        audit.close()


def test_model_calls_are_audited_until_the_services_close(services: AgentServices) -> None:
    assert services.audit is not None
    with scripted_model(responses=["Hello."]):
        services.chat_model.invoke([{"role": "user", "content": "Say hello."}])
    assert _wait_for(services.audit, "model_call", 1) == 1
    entry = services.audit.entries(kind="model_call")[0]
    assert entry.payload["model"] and entry.payload["status"] == "success"
    assert len(entry.payload["input_sha256"]) == 64 and len(entry.payload["output_sha256"]) == 64
    assert "Hello" not in str(entry.payload)  # hashes, never the text

    ledger = services.audit
    services.close()
    assert not [sink for sink in audited_ledgers() if sink is ledger]


def test_a_recommendation_the_ledger_refuses_is_not_stored(services: AgentServices) -> None:
    from crm.errors import NotFound
    from crm.recommendations import RecommendationLog
    from governance.audit_errors import InvalidAuditPayload

    assert services.recommendations is not None and services.audit is not None
    bad = Recommendation(
        kind="technical_answer", agent="technical_qa", content="Answer.", confidence=0.5,
        provenance=[Fact(source="product_docs", record_id="x" * 300, field="text")],
    )  # fmt: skip
    with pytest.raises(InvalidAuditPayload):
        services.recommendations.record(bad)
    with pytest.raises(NotFound):
        RecommendationLog(services.crm.engine).get(recommendation_id=bad.id)
    assert services.audit.count() == 0
