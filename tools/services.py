"""The services bundle handed to graph factories: CRM store, memory, model, and their tools."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from langchain_core.language_models import BaseChatModel

from core.audit import AuditSink
from core.recommendation import ModelInfo, RecommendationRecorder
from core.settings import Settings
from crm.store import CRMStore
from memory import Memory
from tools.documentation import ProductDirectory, search_documentation
from tools.pricing import PricingTools
from tools.stakeholders import StakeholderTools


@dataclass
class AgentServices:
    """Everything an agent may reach, passed in explicitly (never through globals)."""

    settings: Settings
    crm: CRMStore
    memory: Memory
    chat_model: BaseChatModel
    model_info: ModelInfo
    recommendations: RecommendationRecorder | None = None
    audit: AuditSink | None = None
    _closers: list[Any] = field(default_factory=list, repr=False)

    @cached_property
    def products(self) -> ProductDirectory:
        return ProductDirectory(self.crm.list_products())

    def products_mentioned(self, text: str) -> list[dict[str, str]]:
        """Products named in ``text`` (tool for the technical Q&A agent)."""
        return self.products.mentioned_in(text)

    def search_documentation(
        self, query: str, *, product_ids: Sequence[str] | None = None, k: int = 5
    ) -> list[dict[str, Any]]:
        """Documentation chunks for ``query`` (tool for the technical Q&A agent)."""
        return search_documentation(self.memory, query, product_ids=product_ids, k=k)

    @cached_property
    def stakeholders(self) -> StakeholderTools:
        """Contacts, coverage and account-note search (tools for the relationships agent)."""
        return StakeholderTools(self.crm, self.memory)

    @cached_property
    def pricing(self) -> PricingTools:
        """Price book, comparables, budgets and logistics (tools for the budget agent)."""
        return PricingTools(self.crm, products=self.products)

    def close(self) -> None:
        for close in self._closers:
            close()


def create_services(settings: Settings) -> AgentServices:
    """Open the CRM database and the memory and configure the model. Blocking: loads models."""
    from crm.db import make_engine, migrate
    from crm.recommendations import RecommendationLog
    from llm.gateway import chat_model, model_info

    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    return AgentServices(
        settings=settings,
        crm=CRMStore(engine),
        memory=Memory.from_settings(settings),
        chat_model=chat_model(settings),
        model_info=model_info(settings),
        recommendations=RecommendationLog(engine),
        _closers=[engine.dispose],
    )
