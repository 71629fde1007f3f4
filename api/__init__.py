"""The HTTP surface: LangGraph-server-compatible routers, schemas, errors and SSE framing."""

__all__: list[str] = []
