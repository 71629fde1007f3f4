"""Liveness and server information."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from api.deps import RuntimeDep
from api.permissions import anyone, signed_in
from api.schemas import Health, ServerInfo, WarmUp
from runtime.warmup import WarmupStatus

router = APIRouter(tags=["system"])


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "0.0.0"


@router.get(
    "/ok",
    response_model=Health,
    dependencies=[anyone()],
)
async def ok() -> Health:
    """Answers as soon as the server accepts requests, even while models still load."""
    return Health(ok=True)


@router.get(
    "/info",
    response_model=ServerInfo,
    dependencies=[signed_in()],
)
async def info(runtime: RuntimeDep) -> ServerInfo:
    """Versions, the features this server implements, and whether the agents are ready.

    ``agents_ready`` turns true once the start-up warm-up has compiled the graphs and loaded
    the memory and the local model; ``warm_up`` says what is still warming or failed.
    """
    warm = runtime.warmup.status() if runtime.warmup else WarmupStatus(pending=[])
    return ServerInfo(
        version=_version("crm-agents"),
        langgraph_py_version=_version("langgraph"),
        flags={"assistants": True, "crons": False, "langsmith": False, "store": True},
        metadata={
            "services": runtime.services.state,
            "graphs": [spec.graph_id for spec in runtime.catalog.specs()],
            "started_at": runtime.started_at.isoformat(),
        },
        agents_ready=warm.ready and runtime.services.state == "ready",
        warm_up=WarmUp(**warm.as_dict()),
    )
