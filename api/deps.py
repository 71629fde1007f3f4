"""Dependencies that reach route handlers as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from core.settings import Settings
from runtime.agent_runtime import AgentRuntime
from runtime.assistants import AssistantService
from runtime.executor import RunExecutor
from runtime.graph_catalog import GraphCatalog
from runtime.run_store import RunStore
from runtime.threads import ThreadService


def get_runtime(request: Request) -> AgentRuntime:
    """The runtime the app's lifespan opened."""
    runtime: AgentRuntime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_catalog(request: Request) -> GraphCatalog:
    """The graphs served as assistants."""
    return get_runtime(request).catalog


def get_threads(request: Request) -> ThreadService:
    """Thread records, state and deletion."""
    return get_runtime(request).threads


def get_runs(request: Request) -> RunStore:
    """Run records."""
    return get_runtime(request).runs


def get_executor(request: Request) -> RunExecutor:
    """Starts, follows and cancels runs."""
    return get_runtime(request).executor


def get_assistants(request: Request) -> AssistantService:
    """Assistants: registry graphs plus user-created, versioned configurations."""
    return get_runtime(request).assistants


def get_store(request: Request) -> Any:
    """The LangGraph store (``BaseStore``) shared by graphs and the store API."""
    return get_runtime(request).store


RuntimeDep = Annotated[AgentRuntime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[GraphCatalog, Depends(get_catalog)]
ThreadsDep = Annotated[ThreadService, Depends(get_threads)]
RunsDep = Annotated[RunStore, Depends(get_runs)]
ExecutorDep = Annotated[RunExecutor, Depends(get_executor)]
AssistantsDep = Annotated[AssistantService, Depends(get_assistants)]
StoreDep = Annotated[Any, Depends(get_store)]
