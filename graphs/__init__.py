"""Orchestration: the registry of graphs exposed as assistants, and the supervisor graph that
routes a rep's message to the specialists in ``agents/``."""

from graphs.registry import GraphSpec, assistant_id_for, get_graph_spec, registered_graphs

__all__ = ["GraphSpec", "assistant_id_for", "get_graph_spec", "registered_graphs"]
