"""What a client asks a run to do, independent of the HTTP schema that carried it."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Breakpoints = tuple[str, ...] | Literal["*"] | None
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]


@dataclass(frozen=True)
class RunRequest:
    """The LangGraph server's run-create options that this runtime acts on."""

    assistant_id: str
    input: Any = None
    command: Mapping[str, Any] | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    context: Any = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    stream_mode: tuple[str, ...] = ("values",)
    stream_subgraphs: bool = False
    interrupt_before: Breakpoints = None
    interrupt_after: Breakpoints = None
    checkpoint_id: str | None = None
    checkpoint: Mapping[str, Any] | None = None
    multitask_strategy: MultitaskStrategy = "reject"
    if_not_exists: Literal["reject", "create"] = "reject"
    on_disconnect: Literal["cancel", "continue"] = "continue"
    on_completion: Literal["delete", "keep"] = "delete"
    durability: Literal["sync", "async", "exit"] | None = None
    stream_resumable: bool = False
    webhook: str | None = None
    after_seconds: float | None = None
    # The user the run acts for: a thread the run creates is stamped as theirs.
    owner: str | None = None

    def to_kwargs(self, *, temporary: bool) -> dict[str, Any]:
        """The request as JSON for the run record (enough to execute it again)."""
        kwargs = asdict(self)
        kwargs.pop("assistant_id")
        kwargs.pop("metadata")
        kwargs["stream_mode"] = list(self.stream_mode)
        for key in ("interrupt_before", "interrupt_after"):
            if isinstance(kwargs[key], tuple):
                kwargs[key] = list(kwargs[key])
        kwargs["temporary"] = temporary
        return kwargs

    def graph_config(
        self, *, run_id: str, thread_id: str, assistant_id: str, graph_id: str
    ) -> dict[str, Any]:
        """The runnable config for ``astream``: the client's, plus the run's identity."""
        config: dict[str, Any] = copy.deepcopy(dict(self.config))
        configurable = dict(config.get("configurable") or {})
        if self.checkpoint:
            configurable.update(self.checkpoint)
        if self.checkpoint_id:
            configurable["checkpoint_id"] = self.checkpoint_id
        identity = {
            "run_id": run_id,
            "thread_id": thread_id,
            "assistant_id": assistant_id,
            "graph_id": graph_id,
        }
        configurable.update(identity)
        config["configurable"] = configurable
        config["metadata"] = {**(config.get("metadata") or {}), **identity, "run_attempt": 1}
        # The root LangChain run takes the run's id, so traces and callbacks line up with it.
        config["run_id"] = uuid.UUID(run_id)
        return config
