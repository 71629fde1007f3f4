"""The specialist agents; each builds its LangGraph graph from small named nodes."""

__all__: list[str] = []
