"""The agents' services of one process: the CRM behind the consent gate, the memory, the model
gateway and the recorder chain (calibrate, sign, audit, store), over the shared database."""

from __future__ import annotations

from collections.abc import Callable

from composition.database import SharedDatabase, open_shared_database
from core.recommendation import RecommendationRecorder
from core.settings import Settings
from crm.scope import AccountScope
from crm.store import CRMStore
from memory import Memory
from tools.agent_services import AgentServices


def create_services(settings: Settings, database: SharedDatabase | None = None) -> AgentServices:
    """Build the agent services over ``database`` (the process's shared engine and ledgers) and
    configure the model. Blocking: loads models.

    Without ``database`` (a script or test that opens nothing else) they open one of their own
    and close it with themselves.
    """
    from crm.calibration_maps import CalibrationMaps
    from eval.calibration.calibrating_recorder import CalibratingRecorder
    from governance.model_calls import register_model_call_audit, unregister_model_call_audit
    from governance.recorder import SignedAuditedRecorder
    from llm.gateway import chat_model, model_info

    closers: list[Callable[[], None]] = []
    if database is None:
        database = open_shared_database(settings)
        closers.append(database.close)
    engine, audit = database.engine, database.audit
    # Each model call is audited too (llm/ knows nothing of governance: a litellm callback).
    model_calls = register_model_call_audit(audit.ledger)
    recorder: RecommendationRecorder = SignedAuditedRecorder(
        database.recommendations,
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
        consent=database.consent,
        audit=audit.ledger,
        # Outside runs these services serve the process itself (event intake, the fairness
        # scan, evaluation); a run reads within its config's scope, and none without one.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        # The database is the root's to close; the model-call hook is these services' own.
        _closers=[lambda: unregister_model_call_audit(model_calls), *closers],
    )
