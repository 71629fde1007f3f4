"""Serve the chat page over a small demo CRM in a process of its own, for the browser tests.

Usage: ``python -m tests.web._web_server DATA_DIR PORT`` from the repository root. The agents
are the registered ones over the scripted model; embeddings are hashed (no MiniLM), and the
model's tokens are paced a little so that a browser sees them arrive one by one and a run
lasts long enough to be stopped. A question containing ``LONG ANSWER`` gets a long reply.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from core.offline import apply_offline_defaults

apply_offline_defaults()

import uvicorn  # noqa: E402
from langchain_core.callbacks import (  # noqa: E402
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.messages import BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGenerationChunk, ChatResult  # noqa: E402

from core.settings import Settings  # noqa: E402
from crm.db import make_engine, migrate  # noqa: E402
from crm.demo import seed_demo  # noqa: E402
from crm.recommendations import RecommendationLog  # noqa: E402
from crm.scope import AccountScope  # noqa: E402
from crm.store import CRMStore  # noqa: E402
from governance.consent import ConsentLedger, load_consent_key  # noqa: E402
from governance.consent_demo import seed_demo_consent  # noqa: E402
from graphs.registry import GraphSpec, agent_deps, registered_graphs  # noqa: E402
from graphs.supervisor import build_supervisor_graph  # noqa: E402
from llm.gateway import chat_model, model_info  # noqa: E402
from llm.messages import Messages, last_user_text  # noqa: E402
from llm.providers import register_providers  # noqa: E402
from llm.scripted import default_reply, scripted_model  # noqa: E402
from memory import HashingEmbeddingFunction, Memory  # noqa: E402
from server import create_app  # noqa: E402
from tools.agent_services import AgentServices  # noqa: E402
from tools.indexing import index_crm_into_memory  # noqa: E402

SCALE = 0.05
TOKEN_DELAY_S = 0.04
_LABEL = re.compile(r"^\s*\[\d+\]\s*(\([^)]*\))?\s*")  # "[1] (Manual, Section) "
_PRODUCT = re.compile(r"(?:[A-Z][a-z]+ ){1,2}[A-Z0-9-]+\d\w*(?: [A-Z][a-z]+){0,3}")
LONG_REPLY = " ".join(f"Point {n} of a long technical answer." for n in range(1, 150))


class PacedChatModel(BaseChatModel):
    """Wraps a chat model and waits a little before each streamed chunk (tests only)."""

    inner: BaseChatModel
    delay: float = TOKEN_DELAY_S

    @property
    def _llm_type(self) -> str:
        return "paced"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self.inner._generate(messages, stop=stop, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self.inner._stream(messages, stop=stop, **kwargs)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        # The inner model's private stream: its public one would report the tokens twice.
        async for chunk in self.inner._astream(messages, stop=stop, **kwargs):
            await asyncio.sleep(self.delay)
            yield chunk


def reply(messages: Messages) -> str:
    """The scripted model's answer: long on request, else the default echo of the context.

    The long answer quotes the whole context the agent gave (documentation passages), so it
    passes the prose checks and streams for several seconds."""
    text = last_user_text(messages)
    if "LONG ANSWER" in text:
        sources = text.split("Sources:", 1)[-1].split("Question:", 1)[0]
        # Each numbered passage without its label: the documentation's own sentences.
        passages = [_LABEL.sub("", line) for line in sources.splitlines() if line.strip()]
        answer = " ".join(" ".join(passages).split())
        # Name the product once: the prose checks stop a text that repeats a phrase.
        for name in {m.group(0) for m in _PRODUCT.finditer(answer)}:
            first = answer.find(name) + len(name)
            answer = answer[:first] + answer[first:].replace(f"the {name}", "it").replace(
                name, "it"
            )
        return answer or LONG_REPLY
    return default_reply(messages)


def build_services(settings: Settings) -> AgentServices:
    """Seed (once) and index a small demo CRM; the scripted model, paced."""
    register_providers()
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    crm = CRMStore(engine)
    memory = Memory.from_settings(settings, embedding_function=HashingEmbeddingFunction())
    if not crm.list_accounts(limit=1):
        seed_demo(engine, seed=settings.seed, scale=SCALE)
        # As `crm-agents seed` does: most people consented to AI processing, a few did not.
        key = load_consent_key(settings.resolved_governance_key_dir)
        seed_demo_consent(ConsentLedger(engine, key=key), seed=settings.seed)
        index_crm_into_memory(crm, memory)
    return AgentServices(
        settings=settings,
        crm=crm,
        # These graphs run for no user: every account, in runs and out of them.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        crm_scope_unscoped_runs=AccountScope.unrestricted(),
        memory=memory,
        chat_model=PacedChatModel(inner=chat_model(settings)),
        model_info=model_info(settings),
        recommendations=RecommendationLog(engine),
        _closers=[engine.dispose],
    )


def graph_specs() -> dict[str, GraphSpec]:
    """The registered specialists, and the supervisor over them with hashed embeddings."""
    specialists = {
        graph_id: spec for graph_id, spec in registered_graphs().items() if graph_id != "supervisor"
    }

    def supervisor(*, services: Any, checkpointer: Any = None, store: Any = None) -> Any:
        return build_supervisor_graph(
            agent_deps(services, services),
            specialists={gid: spec.build(services=services) for gid, spec in specialists.items()},
            checkpointer=checkpointer,
            store=store,
            embed=HashingEmbeddingFunction(),
        )

    title = registered_graphs()["supervisor"]
    return {
        "supervisor": GraphSpec("supervisor", title.title, title.description, supervisor),
        **specialists,
    }


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    settings = Settings(
        _env_file=None, data_dir=data_dir, model="scripted/web", model_max_retries=0, warm_up=True
    )
    services = build_services(settings)  # before serving: the page's first request finds data
    app = create_app(settings, graphs=graph_specs(), services_factory=lambda _: services)
    with scripted_model(rule=reply):
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
