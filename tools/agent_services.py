"""The services bundle handed to graph factories: CRM store, memory, model, and their tools."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from langchain_core.language_models import BaseChatModel

from core.audit import AuditSink
from core.recommendation import ModelInfo, RecommendationRecorder
from core.settings import Settings
from crm.actions import ActionStore
from crm.lead_scores import LeadScoreStore
from crm.reader import CRMSource
from crm.scope import AccountScope
from crm.store import CRMStore
from governance.consent import ConsentChecker, ConsentLedger
from governance.consent_gate import ConsentGatedCRM
from memory import Memory
from tools.actions import ActionWriter
from tools.documentation import ProductDirectory, search_documentation
from tools.pricing import PricingTools
from tools.run_scope import RunScope
from tools.stakeholders import AccountRef, StakeholderTools


@dataclass
class AgentServices:
    """Everything an agent may reach, passed in explicitly (never through globals).

    The registry (``graphs.registry``) hands each agent a narrow view of it: the agent's own
    tools protocol (``<Agent>Tools`` in its package), which this class satisfies structurally
    (checked by ``tests/agents/test_agent_tools_protocols.py``).

    ``crm`` is always read through the consent gate (``governance.consent_gate``): agents never see
    the data of contacts without ``ai_processing`` consent. Without a ``consent`` checker the
    gate reads the consent ledger of the CRM's own database, where a contact without a record
    has not consented (privacy by default).

    Beneath the gate, every read is limited to the account scope of the run it serves
    (``tools/run_scope.py``): inside a run, the scope in the run's config; in a run whose
    config has none, ``crm_scope_unscoped_runs``; outside any run, ``crm_scope_outside_runs``
    (or what ``tools.run_scope.acting_for`` set). Both default to no account at all, so
    services that serve users fail closed; services built for no user (the evaluation
    harness, tests, scripts) say ``AccountScope.unrestricted()`` explicitly. A gate passed in
    ready-made keeps the reader it was given.
    """

    settings: Settings
    # Given the store (or an already gated reader); read through the consent gate from here on.
    crm: CRMSource
    memory: Memory
    chat_model: BaseChatModel
    model_info: ModelInfo
    recommendations: RecommendationRecorder | None = None
    audit: AuditSink | None = None
    consent: ConsentChecker | None = None
    crm_scope_outside_runs: AccountScope = field(default_factory=AccountScope.nothing)
    crm_scope_unscoped_runs: AccountScope = field(default_factory=AccountScope.nothing)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.crm, ConsentGatedCRM):
            self.consent = self.consent or ConsentLedger(self.crm.engine)
            scope = RunScope(
                outside_runs=self.crm_scope_outside_runs,
                unscoped_runs=self.crm_scope_unscoped_runs,
            )
            self.crm = ConsentGatedCRM(CRMStore(self.crm.engine, scope=scope), consent=self.consent)

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

    @cached_property
    def actions(self) -> ActionWriter:
        """Performs approved actions (tasks, outbox, grades) and records every decision."""
        return ActionWriter(ActionStore(self.crm.engine), audit=self.audit)

    @cached_property
    def lead_scores(self) -> LeadScoreStore:
        """Stored lead scores and routes (event intake's): where an event goes."""
        return LeadScoreStore(self.crm.engine)

    def accounts_mentioned(self, text: str) -> list[AccountRef]:
        """Accounts named in ``text`` by id or name (tool for the supervisor's follow-ups)."""
        return self.stakeholders.accounts_mentioned(text)

    def close(self) -> None:
        """Close what the services opened (the memory's client, the model's runtime)."""
        for close in self._closers:
            close()
