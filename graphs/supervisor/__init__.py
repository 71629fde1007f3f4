"""Supervisor: routes a rep's message to specialists, runs them in parallel, composes one reply."""

from graphs.supervisor.graph import GRAPH_ID, build_supervisor_graph, is_capable
from graphs.supervisor.message_router import (
    ExampleRouter,
    RouteDecision,
    load_examples,
    mask_entities,
)
from graphs.supervisor.state import SupervisorState

__all__ = [
    "GRAPH_ID",
    "ExampleRouter",
    "RouteDecision",
    "SupervisorState",
    "build_supervisor_graph",
    "is_capable",
    "load_examples",
    "mask_entities",
]
