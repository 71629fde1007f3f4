"""The demo CRM the suite runs over: seeded and indexed in a temporary folder, then removed.

The cases' labels hold for one demo (seed and scale); running them over a CRM the rep has
changed would score the data, not the agents. So the suite builds its own, with the model of
the given settings (``--model`` overrides it).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from chromadb.api.types import Documents, EmbeddingFunction

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.scope import AccountScope
from crm.store import CRMStore
from eval.scenario_suite.generate import SUITE_SCALE, SUITE_SEED
from governance.consent import ConsentLedger
from governance.consent_demo import seed_demo_consent
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from memory import Memory
from tools.agent_services import AgentServices
from tools.indexing import index_crm_into_memory


class EveryoneConsented:
    """Consent of the suite's synthetic demo: every contact agreed to AI processing.

    The labels assume the agents see every contact; consent gating has its own tests.
    """

    def allowed(self, contact_id: str, purpose: str) -> bool:
        return True

    def contacts_without(self, purpose: str, contact_ids: Iterable[str]) -> set[str]:
        return set()


@contextmanager
def demo_services(
    settings: Settings,
    *,
    seed: int = SUITE_SEED,
    scale: float = SUITE_SCALE,
    embedding_function: EmbeddingFunction[Documents] | None = None,
    demo_consent: bool = False,
) -> Iterator[AgentServices]:
    """Agent services over a fresh demo CRM and memory; ``settings`` gives the model.

    With ``demo_consent`` the demo's consent records are seeded too (about one person in six
    never allowed AI processing or revoked it) and the agents read through the real consent
    gate, as in production: some of what the labels rest on is withheld, and an agent's
    confidence should say so. Without it everyone consented.
    """
    register_providers()
    with tempfile.TemporaryDirectory(prefix="scenario-suite-") as folder:
        local = settings.model_copy(
            update={
                "data_dir": Path(folder),
                "database_url": None,
                "chroma_path": None,
                "chroma_url": None,
            }
        )
        url = local.resolved_database_url
        migrate(url)
        engine = make_engine(url)
        seed_demo(engine, seed=seed, scale=scale)
        consent: ConsentLedger | EveryoneConsented = EveryoneConsented()
        if demo_consent:
            consent = ConsentLedger(engine, key=secrets.token_bytes(32))
            seed_demo_consent(consent, seed=seed)
        memory = Memory.from_settings(local, embedding_function=embedding_function)
        crm = CRMStore(engine)
        index_crm_into_memory(crm, memory)
        services = AgentServices(
            settings=local,
            crm=crm,
            # Eval runs for no user: every account, in runs and out of them.
            crm_scope_outside_runs=AccountScope.unrestricted(),
            crm_scope_unscoped_runs=AccountScope.unrestricted(),
            memory=memory,
            chat_model=chat_model(local),
            model_info=model_info(local),
            recommendations=RecommendationLog(engine),
            consent=consent,
            _closers=[engine.dispose],
        )
        try:
            yield services
        finally:
            services.close()
