"""Runs of graphs on threads: persistence, execution, event streams; independent of HTTP."""

# Submodules are imported by name (``runtime.executor``...): importing ``runtime.models`` from
# the migrations must not pull in LangGraph.
__all__: list[str] = []
