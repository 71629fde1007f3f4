"""Graph registry: graph id -> factory. Every registered graph is exposed as an assistant."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from graphs.errors import UnknownGraph

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph
    from langgraph.store.base import BaseStore

    from agents.deps import AgentDeps
    from tools.agent_services import AgentServices

# The LangGraph server derives a graph's default assistant id as uuid5 of the graph id in this
# namespace; using the same one lets clients written for it pass either form.
ASSISTANT_NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")

ToolsT = TypeVar("ToolsT")


class GraphFactory(Protocol):
    """Builds a graph from the agent services, with the run's checkpointer and store."""

    def __call__(
        self,
        *,
        services: AgentServices,
        checkpointer: BaseCheckpointSaver | None = None,
        store: BaseStore | None = None,
    ) -> CompiledStateGraph: ...


class AgentBuilder(Protocol[ToolsT]):
    """An agent's graph builder (``build_<agent>_graph``): its dependencies in, a graph out."""

    def __call__(
        self,
        deps: AgentDeps[ToolsT],
        *,
        checkpointer: BaseCheckpointSaver | None = None,
        store: BaseStore | None = None,
    ) -> CompiledStateGraph: ...


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

    def build(
        self,
        *,
        services: AgentServices,
        checkpointer: BaseCheckpointSaver | None = None,
        store: BaseStore | None = None,
    ) -> CompiledStateGraph:
        """The compiled graph over ``services``, checkpointed to ``checkpointer``."""
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
        _agent_spec(
            "technical_qa",
            "Technical Q&A",
            "Answers product questions from the documentation, with citations.",
            build_technical_qa_graph,
            tools=lambda services: services,
        ),
        _agent_spec(
            "relationships",
            "Relationship mapping",
            "Maps an account's stakeholders (decision maker, economic buyer, champions,"
            " blockers, influencers) and says who to engage next and why.",
            build_relationships_graph,
            tools=lambda services: services.stakeholders,
        ),
        _agent_spec(
            "lead_scoring",
            "Lead scoring",
            "Infers an account's or contact's buying stage from its behaviour, scores it"
            " 0-100 with a grade (S/A/B/C), and says which specialist to activate and why.",
            build_lead_scoring_graph,
            tools=lambda services: services,
        ),
        _agent_spec(
            "budget",
            "Budget estimation",
            "Recommends a price range for a deal and estimates the account's budget from the"
            " price book, comparable deals, its history and the discount policy; every factor"
            " sourced, region only through logistics.",
            build_budget_graph,
            tools=lambda services: services.pricing,
        ),
        _agent_spec(
            "next_action",
            "Next best action",
            "Plans an account's or deal's next steps from its history and drafts the"
            " follow-up; e-mails and tasks pause for the rep's approval before they run.",
            build_next_action_graph,
            tools=lambda services: services,
        ),
    ]
    specs.append(_supervisor_spec(list(specs)))
    return {spec.graph_id: spec for spec in specs}


def _agent_spec(
    graph_id: str,
    title: str,
    description: str,
    build: AgentBuilder[ToolsT],
    *,
    tools: Callable[[AgentServices], ToolsT],
) -> GraphSpec:
    """A specialist built the standard way: its tools, the model, and the recommendation log."""

    def factory(
        *,
        services: AgentServices,
        checkpointer: BaseCheckpointSaver | None = None,
        store: BaseStore | None = None,
    ) -> CompiledStateGraph:
        return build(agent_deps(services, tools(services)), checkpointer=checkpointer, store=store)

    return GraphSpec(graph_id=graph_id, title=title, description=description, factory=factory)


def _supervisor_spec(specialists: list[GraphSpec]) -> GraphSpec:
    """The supervisor over every other registered graph, each built from the same services."""
    from graphs.supervisor import build_supervisor_graph
    from memory import MiniLMEmbeddingFunction

    def factory(
        *,
        services: AgentServices,
        checkpointer: BaseCheckpointSaver | None = None,
        store: BaseStore | None = None,
    ) -> CompiledStateGraph:
        # The specialists run as subgraphs: they share the supervisor's checkpointer.
        return build_supervisor_graph(
            agent_deps(services, services),
            specialists={spec.graph_id: spec.build(services=services) for spec in specialists},
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


def agent_deps(services: AgentServices, tools: ToolsT) -> AgentDeps[ToolsT]:
    """An agent's dependencies: ``tools`` (its narrow view of ``services``), the services' model
    and recommendation log."""
    from agents.deps import AgentDeps

    return AgentDeps(
        tools=tools,
        model=services.chat_model,
        model_info=services.model_info,
        recorder=services.recommendations,
    )


def resolve_graph_spec(specs: Mapping[str, GraphSpec], graph_or_assistant_id: str) -> GraphSpec:
    """The spec in ``specs`` named by its graph id or its default assistant id (uuid5).

    The one place either id is accepted; :class:`UnknownGraph` when neither matches.
    """
    spec = specs.get(graph_or_assistant_id)
    if spec is not None:
        return spec
    for spec in specs.values():
        if spec.assistant_id == graph_or_assistant_id:
            return spec
    raise UnknownGraph(graph_or_assistant_id)


def get_graph_spec(graph_or_assistant_id: str) -> GraphSpec:
    """Look a registered graph up by graph id or by its default assistant id."""
    return resolve_graph_spec(registered_graphs(), graph_or_assistant_id)
