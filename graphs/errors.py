"""Errors of the orchestration layer."""


class UnknownGraph(LookupError):
    """No graph is registered under this graph id or assistant id."""

    code = "unknown_graph"

    def __init__(self, graph_id: str) -> None:
        super().__init__(f"no graph or assistant named {graph_id!r}")
        self.graph_id = graph_id
