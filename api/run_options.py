"""The runtime's view of a run-create body: :class:`RunCreate` -> :class:`RunRequest`."""

from __future__ import annotations

from api.run_identity import RunActor, check_resume_allowed
from api.schemas import RunCreate
from runtime.run_request import RunRequest

__all__ = ["run_request"]


def run_request(body: RunCreate, actor: RunActor) -> RunRequest:
    """The runtime's view of a run-create body, acting for ``actor`` (403 when it answers an
    interrupt without ``approvals:decide``)."""
    check_resume_allowed(actor, body)
    durability = body.durability
    if durability is None and body.checkpoint_during is not None:
        durability = "async" if body.checkpoint_during else "exit"
    breakpoints = {
        name: value if value is None or value == "*" else tuple(value)
        for name, value in (
            ("interrupt_before", body.interrupt_before),
            ("interrupt_after", body.interrupt_after),
        )
    }
    return RunRequest(
        assistant_id=body.assistant_id,
        input=body.input,
        command=body.command.model_dump(exclude_none=True) if body.command else None,
        config=actor.apply(body.config.model_dump(exclude_none=True) if body.config else {}),
        context=body.context,
        metadata=body.metadata or {},
        stream_mode=body.stream_modes,
        stream_subgraphs=body.stream_subgraphs,
        interrupt_before=breakpoints["interrupt_before"],
        interrupt_after=breakpoints["interrupt_after"],
        checkpoint_id=body.checkpoint_id,
        checkpoint=body.checkpoint.model_dump(exclude_none=True) if body.checkpoint else None,
        multitask_strategy=body.multitask_strategy,
        if_not_exists=body.if_not_exists,
        on_disconnect=body.on_disconnect,
        on_completion=body.on_completion,
        durability=durability,
        stream_resumable=body.stream_resumable,
        webhook=body.webhook,
        after_seconds=body.after_seconds,
        owner=actor.principal.user_id,
    )
