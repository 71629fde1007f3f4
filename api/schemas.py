"""Request and response bodies, with the LangGraph server's field names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from runtime.engine import STREAM_MODES
from runtime.records import RunStatus, ThreadStatus
from runtime.webhooks import is_webhook_url

SortOrder = Literal["asc", "desc"]
ThreadField = Literal[
    "thread_id", "created_at", "updated_at", "metadata", "config", "status", "values", "interrupts"
]


class _Request(BaseModel):
    # Unknown fields are ignored: newer clients send options older servers never heard of.
    model_config = ConfigDict(extra="ignore")


class RunnableConfigIn(BaseModel):
    """``config`` of a run: tags, recursion limit and configurable values."""

    model_config = ConfigDict(extra="allow")

    tags: list[str] | None = None
    recursion_limit: int | None = Field(None, ge=1)
    configurable: dict[str, Any] | None = None


class CommandIn(_Request):
    """Resume an interrupt, update the state and/or jump to nodes."""

    update: dict[str, Any] | list[Any] | None = None
    resume: Any = None
    goto: Any = Field(None, description='A node, a {"node", "input"} send, or a list of them.')

    @field_validator("goto")
    @classmethod
    def _goto(cls, value: Any) -> Any:
        targets = value if isinstance(value, list) else [value]
        for target in targets if value is not None else []:
            is_send = isinstance(target, dict) and isinstance(target.get("node"), str)
            if not (isinstance(target, str) or is_send):
                raise ValueError('each target must be a node name or {"node": ..., "input": ...}')
        return value


class CheckpointIn(_Request):
    thread_id: str | None = None
    checkpoint_ns: str = ""
    checkpoint_id: str | None = None
    checkpoint_map: dict[str, Any] | None = None


class RunCreate(_Request):
    """Body of ``POST /threads/{id}/runs/stream``, ``/runs/wait``... (LangGraph ``RunCreate``)."""

    assistant_id: str = Field(min_length=1, description="Graph id or assistant id.")
    input: Any = None
    command: CommandIn | None = None
    config: RunnableConfigIn | None = None
    context: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    checkpoint: CheckpointIn | None = None
    checkpoint_id: str | None = None
    stream_mode: list[str] = Field(["values"], description="One stream mode or a list of them.")
    stream_subgraphs: bool = False
    stream_resumable: bool = False
    interrupt_before: Any = Field(None, description='"*" or a list of node names.')
    interrupt_after: Any = Field(None, description='"*" or a list of node names.')
    multitask_strategy: Literal["reject", "interrupt", "rollback", "enqueue"] = "reject"
    if_not_exists: Literal["reject", "create"] = "reject"
    on_disconnect: Literal["cancel", "continue"] = "continue"
    on_completion: Literal["delete", "keep"] = "delete"
    durability: Literal["sync", "async", "exit"] | None = None
    checkpoint_during: bool | None = None
    after_seconds: float | None = Field(None, ge=0, description="Wait this long before starting.")
    webhook: str | None = Field(
        None, description="An http(s) URL the run is POSTed to when it ends."
    )
    feedback_keys: list[str] | None = None

    @field_validator("stream_mode", mode="before")
    @classmethod
    def _stream_modes(cls, value: Any) -> Any:
        modes = [value] if isinstance(value, str) else value
        if not isinstance(modes, list) or not all(isinstance(mode, str) for mode in modes):
            raise ValueError("must be a stream mode or a list of stream modes")
        unsupported = [mode for mode in modes if mode not in STREAM_MODES]
        if unsupported:
            raise ValueError(
                f"stream mode {unsupported[0]!r} is not supported; use {', '.join(STREAM_MODES)}"
            )
        return list(dict.fromkeys(modes)) or ["values"]

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is not None and not is_webhook_url(value):
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    @field_validator("interrupt_before", "interrupt_after")
    @classmethod
    def _breakpoints(cls, value: Any) -> Any:
        if value is None or value == "*":
            return value
        if isinstance(value, list) and all(isinstance(node, str) for node in value):
            return value
        raise ValueError('must be "*" or a list of node names')

    @model_validator(mode="after")
    def _input_or_command(self) -> RunCreate:
        if self.command is not None and self.input is not None:
            raise ValueError("give either input or command, not both")
        return self

    @property
    def stream_modes(self) -> tuple[str, ...]:
        return tuple(self.stream_mode)


class ThreadCreate(_Request):
    thread_id: uuid.UUID | None = None
    metadata: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] = "raise"
    supersteps: list[dict[str, Any]] | None = None


class ThreadPatch(_Request):
    metadata: dict[str, Any]


class ThreadSearch(_Request):
    ids: list[str] | None = None
    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    status: ThreadStatus | None = None
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)
    # state_updated_at is the LangGraph server's name for when the values last changed.
    sort_by: Literal["thread_id", "status", "created_at", "updated_at", "state_updated_at"] = (
        "created_at"
    )
    sort_order: SortOrder = "desc"
    select: list[ThreadField] | None = Field(None, description="Only these fields.")
    extract: dict[str, str] | None = Field(None, description="Not supported yet (422).")


class Thread(BaseModel):
    thread_id: str
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any]
    config: dict[str, Any]
    status: ThreadStatus
    values: Any
    interrupts: dict[str, Any]


class Run(BaseModel):
    run_id: str
    thread_id: str
    assistant_id: str
    created_at: datetime
    updated_at: datetime
    status: RunStatus
    metadata: dict[str, Any]
    kwargs: dict[str, Any]
    multitask_strategy: str
    error: dict[str, Any] | None = Field(
        None, description="Why a failed run failed (``ServerRestarted``: cut off by a restart)."
    )

    @field_validator("kwargs", mode="before")
    @classmethod
    def _hide_internal(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {key: item for key, item in value.items() if key != "temporary"}


class Health(BaseModel):
    ok: bool


class WarmUp(BaseModel):
    """Progress of the start-up warm-up (graphs compiled, memory and local model loaded)."""

    state: Literal["warming", "ready", "failed"]
    pending: list[str] = Field(description="Steps not finished yet, in the order they run.")
    done: dict[str, float] = Field(description="Finished steps and the seconds each took.")
    failed: dict[str, str] = Field(description="Failed steps and why.")


class ServerInfo(BaseModel):
    version: str
    langgraph_py_version: str
    flags: dict[str, bool]
    metadata: dict[str, Any]
    agents_ready: bool = Field(
        description="True once the agents are warmed: the first answer is then as fast as later ones."
    )
    warm_up: WarmUp
