"""A graph's ``StateSnapshot`` in the LangGraph server's ``ThreadState`` shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.types import StateSnapshot


def checkpoint_of(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The checkpoint a runnable config points at: thread, namespace, id and map."""
    if not config:
        return None
    configurable = config.get("configurable") or {}
    if "thread_id" not in configurable:
        return None
    return {
        "thread_id": configurable["thread_id"],
        "checkpoint_ns": configurable.get("checkpoint_ns", ""),
        "checkpoint_id": configurable.get("checkpoint_id"),
        "checkpoint_map": configurable.get("checkpoint_map"),
    }


def _task(task: Any) -> dict[str, Any]:
    state = task.state
    return {
        "id": task.id,
        "name": task.name,
        "error": f"{type(task.error).__name__}({task.error})" if task.error else None,
        "interrupts": list(task.interrupts),
        "checkpoint": checkpoint_of(state) if isinstance(state, Mapping) else None,
        "state": snapshot_to_state(state) if isinstance(state, StateSnapshot) else None,
        "result": task.result,
    }


def snapshot_to_state(snapshot: StateSnapshot) -> dict[str, Any]:
    """``values``, ``next``, ``tasks``, ``checkpoint``... (values still hold Python objects)."""
    return {
        "values": snapshot.values,
        "next": list(snapshot.next),
        "tasks": [_task(task) for task in snapshot.tasks],
        "checkpoint": checkpoint_of(snapshot.config),
        "metadata": snapshot.metadata,
        "created_at": snapshot.created_at,
        "parent_checkpoint": checkpoint_of(snapshot.parent_config),
        "interrupts": list(snapshot.interrupts),
    }


def empty_state(thread_id: str) -> dict[str, Any]:
    """The state of a thread no run has touched yet."""
    return {
        "values": {},
        "next": [],
        "tasks": [],
        "checkpoint": {
            "thread_id": thread_id,
            "checkpoint_ns": "",
            "checkpoint_id": None,
            "checkpoint_map": None,
        },
        "metadata": {},
        "created_at": None,
        "parent_checkpoint": None,
        "interrupts": [],
    }


def pending_interrupts(snapshot: StateSnapshot) -> dict[str, list[Any]]:
    """Interrupts waiting for an answer, by task id (the ``interrupts`` field of a thread)."""
    return {task.id: list(task.interrupts) for task in snapshot.tasks if task.interrupts}


def run_output(snapshot: StateSnapshot) -> Any:
    """What ``runs/wait`` answers: the values, with ``__interrupt__`` when the graph paused."""
    values = snapshot.values
    if snapshot.interrupts and isinstance(values, Mapping):
        return {**values, "__interrupt__": list(snapshot.interrupts)}
    return values
