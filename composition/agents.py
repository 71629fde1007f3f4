"""The agents' services of one process: the CRM behind the consent gate, the memory, the model
gateway and the recorder chain (calibrate, sign, audit, store)."""

from __future__ import annotations

from core.recommendation import RecommendationRecorder
from core.settings import Settings
from crm.store import CRMStore
from governance.consent import ConsentLedger
from memory import Memory
from tools.agent_services import AgentServices


def create_services(settings: Settings) -> AgentServices:
    """Open the CRM database and the memory and configure the model. Blocking: loads models."""
    from crm.calibration_maps import CalibrationMaps
    from crm.db import make_engine, migrate
    from crm.recommendations import RecommendationLog
    from eval.calibration.calibrating_recorder import CalibratingRecorder
    from governance.audit_services import open_audit_services
    from governance.consent import load_consent_key
    from governance.model_calls import register_model_call_audit, unregister_model_call_audit
    from governance.recorder import SignedAuditedRecorder
    from llm.gateway import chat_model, model_info

    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    consent = ConsentLedger(engine, key=load_consent_key(settings.resolved_governance_key_dir))
    audit = open_audit_services(settings)
    # Each model call is audited too (llm/ knows nothing of governance: a litellm callback).
    model_calls = register_model_call_audit(audit.ledger)
    recorder: RecommendationRecorder = SignedAuditedRecorder(
        RecommendationLog(engine),
        ledger=audit.ledger,
        signed_output=audit.signed_output,
        crm_engine=engine,
    )
    # Outermost, so that what is signed, audited and stored carries the calibrated confidence.
    recorder = CalibratingRecorder(recorder, CalibrationMaps(engine))
    return AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        memory=Memory.from_settings(settings),
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=recorder,
        consent=consent,
        audit=audit.ledger,
        _closers=[engine.dispose, lambda: unregister_model_call_audit(model_calls), audit.close],
    )
