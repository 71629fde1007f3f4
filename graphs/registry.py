"""Graph registry: graph id -> factory. Every registered graph is exposed as an assistant."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphs.errors import UnknownGraph

# The LangGraph server derives a graph's default assistant id as uuid5 of the graph id in this
# namespace; using the same one lets clients written for it pass either form.
ASSISTANT_NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")

GraphFactory = Callable[..., Any]
"""``factory(*, services, checkpointer=None, store=None) -> CompiledStateGraph``."""


@dataclass(frozen=True)
class GraphSpec:
    """A graph the server can run: its id, what it does, and how to build it."""

    graph_id: str
    title: str
    description: str
    factory: GraphFactory

    @property
    def assistant_id(self) -> str:
        return assistant_id_for(self.graph_id)

    def build(self, *, services: Any, checkpointer: Any = None, store: Any = None) -> Any:
        return self.factory(services=services, checkpointer=checkpointer, store=store)


def assistant_id_for(graph_id: str) -> str:
    """The default assistant id of a graph, as the LangGraph server computes it."""
    return str(uuid.uuid5(ASSISTANT_NAMESPACE, graph_id))


def registered_graphs() -> dict[str, GraphSpec]:
    """Every graph the server exposes, by graph id."""
    # Imported here so that importing the registry stays cheap and cycle-free.
    from agents.budget import build_budget_graph
    from agents.lead_scoring import build_lead_scoring_graph
    from agents.next_action import build_next_action_graph
    from agents.relationships import build_relationships_graph
    from agents.technical_qa import build_technical_qa_graph

    specs = [
        GraphSpec(
            graph_id="technical_qa",
            title="Technical Q&A",
            description="Answers product questions from the documentation, with citations.",
            factory=lambda *, services, checkpointer=None, store=None: build_technical_qa_graph(
                tools=services,
                model=services.chat_model,
                model_info=services.model_info,
                recorder=services.recommendations,
                checkpointer=checkpointer,
                store=store,
            ),
        ),
        GraphSpec(
            graph_id="relationships",
            title="Relationship mapping",
            description=(
                "Maps an account's stakeholders (decision maker, economic buyer, champions,"
                " blockers, influencers) and says who to engage next and why."
            ),
            factory=lambda *, services, checkpointer=None, store=None: build_relationships_graph(
                tools=services.stakeholders,
                model=services.chat_model,
                model_info=services.model_info,
                recorder=services.recommendations,
                checkpointer=checkpointer,
                store=store,
            ),
        ),
        GraphSpec(
            graph_id="lead_scoring",
            title="Lead scoring",
            description=(
                "Infers an account's or contact's buying stage from its behaviour, scores it"
                " 0-100 with a grade (S/A/B/C), and says which specialist to activate and why."
            ),
            factory=lambda *, services, checkpointer=None, store=None: build_lead_scoring_graph(
                tools=services,
                model=services.chat_model,
                model_info=services.model_info,
                recorder=services.recommendations,
                checkpointer=checkpointer,
                store=store,
            ),
        ),
        GraphSpec(
            graph_id="budget",
            title="Budget estimation",
            description=(
                "Recommends a price range for a deal and estimates the account's budget from the"
                " price book, comparable deals, its history and the discount policy; every factor"
                " sourced, region only through logistics."
            ),
            factory=lambda *, services, checkpointer=None, store=None: build_budget_graph(
                tools=services.pricing,
                model=services.chat_model,
                model_info=services.model_info,
                recorder=services.recommendations,
                checkpointer=checkpointer,
                store=store,
            ),
        ),
        GraphSpec(
            graph_id="next_action",
            title="Next best action",
            description=(
                "Plans an account's or deal's next steps from its history and drafts the"
                " follow-up; e-mails and tasks pause for the rep's approval before they run."
            ),
            factory=lambda *, services, checkpointer=None, store=None: build_next_action_graph(
                tools=services,
                model=services.chat_model,
                model_info=services.model_info,
                recorder=services.recommendations,
                checkpointer=checkpointer,
                store=store,
            ),
        ),
    ]
    specs.append(_supervisor_spec(list(specs)))
    return {spec.graph_id: spec for spec in specs}


def _supervisor_spec(specialists: list[GraphSpec]) -> GraphSpec:
    """The supervisor over every other registered graph, each built from the same services."""
    from agents.supervisor import build_supervisor_graph
    from memory import MiniLMEmbeddingFunction

    def factory(*, services: Any, checkpointer: Any = None, store: Any = None) -> Any:
        # The specialists run as subgraphs: they share the supervisor's checkpointer.
        return build_supervisor_graph(
            specialists={spec.graph_id: spec.build(services=services) for spec in specialists},
            tools=services,
            model=services.chat_model,
            model_info=services.model_info,
            recorder=services.recommendations,
            checkpointer=checkpointer,
            store=store,
            embed=MiniLMEmbeddingFunction(),
        )

    return GraphSpec(
        graph_id="supervisor",
        title="Supervisor",
        description=(
            "Routes a rep's message to one or several specialists (in parallel), composes"
            " their answers into one reply, and keeps the conversation per thread."
        ),
        factory=factory,
    )


def get_graph_spec(graph_or_assistant_id: str) -> GraphSpec:
    """Look a graph up by graph id or by its default assistant id."""
    graphs = registered_graphs()
    if graph_or_assistant_id in graphs:
        return graphs[graph_or_assistant_id]
    for spec in graphs.values():
        if spec.assistant_id == graph_or_assistant_id:
            return spec
    raise UnknownGraph(graph_or_assistant_id)
