"""Dependencies that reach route handlers as ``Annotated`` aliases, each read from the one
composition root the app's lifespan opened (``app.state.services``).

Each is ``async def`` although none awaits: FastAPI runs a plain ``def`` dependency in a worker
thread, and a route's chain of them (services -> runtime -> executor) cost a thread hop each per
request (bench/RESULTS.md, the issue 13 comparison)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from api.authentication import authenticate
from api.errors import ApiError
from composition.agent_access import FairnessInputs
from composition.root import AppServices
from core.settings import Settings
from crm.account_overview import AccountOverviews
from crm.provenance import ProvenanceRecords
from crm.recommendations import RecommendationLog
from eval.calibration.store import CalibrationStore
from governance.audit_services import AuditServices
from governance.consent import ConsentLedger
from governance.subject_rights import SubjectRights
from identity.principal import Principal
from intake.event_intake import EventIntake
from runtime.agent_runtime import AgentRuntime
from runtime.assistants import AssistantService
from runtime.executor import RunExecutor
from runtime.graph_catalog import GraphCatalog
from runtime.run_store import RunStore
from runtime.threads import ThreadService


async def get_app_services(request: Request) -> AppServices:
    """The composition root: the only object the app keeps in its state."""
    services: AppServices = request.app.state.services
    return services


AppServicesDep = Annotated[AppServices, Depends(get_app_services)]


async def get_runtime(services: AppServicesDep) -> AgentRuntime:
    """The graphs, threads and runs of the serving process."""
    return services.served


RuntimeDep = Annotated[AgentRuntime, Depends(get_runtime)]


async def get_settings(services: AppServicesDep) -> Settings:
    """The settings the app was created with."""
    return services.settings


async def get_catalog(runtime: RuntimeDep) -> GraphCatalog:
    """The graphs served as assistants."""
    return runtime.catalog


async def get_threads(runtime: RuntimeDep) -> ThreadService:
    """Thread records, state and deletion."""
    return runtime.threads


async def get_runs(runtime: RuntimeDep) -> RunStore:
    """Run records."""
    return runtime.runs


async def get_executor(runtime: RuntimeDep) -> RunExecutor:
    """Starts, follows and cancels runs."""
    return runtime.executor


async def get_assistants(runtime: RuntimeDep) -> AssistantService:
    """Assistants: registry graphs plus user-created, versioned configurations."""
    return runtime.assistants


async def get_store(runtime: RuntimeDep) -> Any:
    """The LangGraph store (``BaseStore``) shared by graphs and the store API."""
    return runtime.store


async def get_recommendation_log(services: AppServicesDep) -> RecommendationLog:
    """Stored recommendations; answers without waiting for the models to load."""
    return services.database.recommendations


async def get_calibration_store(services: AppServicesDep) -> CalibrationStore:
    """Calibration samples, reviews and maps."""
    return services.database.calibration


async def get_audit_services(services: AppServicesDep) -> AuditServices:
    """The process's one audit ledger, with its signed output, evidence and verification."""
    return services.database.audit


async def get_consent_ledger(services: AppServicesDep) -> ConsentLedger:
    """The process's one consent ledger."""
    return services.database.consent


async def get_account_overviews(services: AppServicesDep) -> AccountOverviews:
    """Account overviews for the chat page."""
    return services.database.account_overviews


async def get_provenance_records(services: AppServicesDep) -> ProvenanceRecords:
    """The CRM records a recommendation's provenance names."""
    return services.database.provenance


async def get_subject_rights(services: AppServicesDep) -> SubjectRights:
    """Export and erasure over every store."""
    return services.subject_rights


async def get_event_intake(services: AppServicesDep) -> EventIntake:
    """The event intake, once the agent services are loaded (waits meanwhile); 503 when they
    hold no CRM store."""
    intake = await services.agents.event_intake()
    if intake is None:
        raise ApiError(503, "unavailable", "event intake needs the CRM store")
    return intake


async def get_fairness_inputs(services: AppServicesDep) -> FairnessInputs:
    """The CRM and pricing tools of the loaded agent services; 503 when they lack either."""
    inputs = await services.agents.fairness_inputs()
    if inputs is None:
        raise ApiError(503, "unavailable", "the fairness scan needs the CRM store")
    return inputs


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[GraphCatalog, Depends(get_catalog)]
ThreadsDep = Annotated[ThreadService, Depends(get_threads)]
RunsDep = Annotated[RunStore, Depends(get_runs)]
ExecutorDep = Annotated[RunExecutor, Depends(get_executor)]
AssistantsDep = Annotated[AssistantService, Depends(get_assistants)]
StoreDep = Annotated[Any, Depends(get_store)]
RecommendationLogDep = Annotated[RecommendationLog, Depends(get_recommendation_log)]
CalibrationStoreDep = Annotated[CalibrationStore, Depends(get_calibration_store)]
AuditServicesDep = Annotated[AuditServices, Depends(get_audit_services)]
ConsentLedgerDep = Annotated[ConsentLedger, Depends(get_consent_ledger)]
AccountOverviewsDep = Annotated[AccountOverviews, Depends(get_account_overviews)]
ProvenanceRecordsDep = Annotated[ProvenanceRecords, Depends(get_provenance_records)]
SubjectRightsDep = Annotated[SubjectRights, Depends(get_subject_rights)]
EventIntakeDep = Annotated[EventIntake, Depends(get_event_intake)]
FairnessInputsDep = Annotated[FairnessInputs, Depends(get_fairness_inputs)]
PrincipalDep = Annotated[Principal, Depends(authenticate)]
"""Who is asking (401 without credentials): routes that record or filter by the user take it;
the permission each route declares (``api/permissions.py``) reads the same, once per request."""
