"""``crm-agents ask``: run one graph on a question and stream the answer to the terminal."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from rich.console import Console

from core.settings import Settings
from tools.run_scope import NO_USER


async def ask_graph(settings: Settings, *, graph_id: str, question: str, console: Console) -> int:
    """Stream ``graph_id``'s answer to ``question`` on stdout; returns the exit code."""
    from composition.root import open_app_services
    from graphs import get_graph_spec
    from graphs.errors import UnknownGraph

    if not question.strip():
        console.print("[red]The question is empty.[/]")
        return 2
    try:
        spec = get_graph_spec(graph_id)
    except UnknownGraph as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    # The composition root opened for one command: no runtime, the agent services load now.
    async with open_app_services(settings, serve=False) as root:
        with console.status("Loading the CRM, the memory and the model..."):
            services = await root.agents.services()
        final, shown = await _stream(spec.build(services=services), question)
    answer = _last_ai_text(final)
    out = Console(highlight=False, soft_wrap=True)
    if answer.startswith(shown):
        # The agents stream only checked text their answer starts with: the rest follows.
        out.print(answer[len(shown) :], markup=False)
    else:
        # A graph that streams text its answer does not start with: show the answer whole.
        console.print("\n\n[yellow]The final answer:[/]")
        out.print(answer, markup=False)
    return 0


async def _stream(graph: Any, question: str) -> tuple[dict[str, Any], str]:
    """Print the answer's checked text as it streams; the final state and what was shown."""
    out = Console(highlight=False, soft_wrap=True)
    streamed: list[str] = []
    final: dict[str, Any] = {}
    async for mode, chunk in graph.astream(
        {"messages": [HumanMessage(content=question)]},
        NO_USER,  # the operator at the terminal reads every account
        stream_mode=["messages", "values"],
    ):
        if mode == "messages":
            message, _metadata = chunk
            if isinstance(message, AIMessageChunk) and isinstance(message.content, str):
                streamed.append(message.content)
                out.print(message.content, end="", markup=False)
        else:
            final = chunk
    return final, "".join(streamed)


def _last_ai_text(state: dict[str, Any]) -> str:
    for message in reversed(state.get("messages", [])):
        if isinstance(message, AIMessage) and not isinstance(message, AIMessageChunk):
            return str(message.content)
    return ""
