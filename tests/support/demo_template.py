"""The small demo's data, seeded and indexed once per test process and copied for each module.

Seeding the demo at scale 0.05 takes seconds and embedding its documentation with MiniLM most of
a minute on two cores, while copying the result takes milliseconds. Each module still gets a
data directory of its own, so what one module's tests write is never seen by another.

The browser tests' servers get a second template (``copy_hashed_demo_data``): the same demo with
its people's consent, and documentation and account notes embedded with hashed words.

Under pytest-xdist the workers share one build of each template: ``tests/conftest.py`` names a
folder for the whole run (``TEMPLATES_VARIABLE``, inherited by the workers), the first worker to
need a template builds it there under a file lock, and the others wait and copy it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from filelock import FileLock

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.store import CRMStore
from governance.consent import ConsentLedger, load_consent_key
from governance.consent_demo import seed_demo_consent
from memory import HashingEmbeddingFunction, Memory
from tools.indexing import index_crm_into_memory, index_documentation

DEMO_SCALE = 0.05
# The folder of this test run's templates, set by tests/conftest.py before workers start.
TEMPLATES_VARIABLE = "CRM_TESTS_DEMO_TEMPLATES"
# (demo seed, hashed) -> the seeded and indexed data directory
_templates: dict[tuple[int, bool], Path] = {}


def copy_demo_data(settings: Settings) -> None:
    """Fill ``settings``' data directory with the demo (its seed, scale 0.05): the CRM database
    and the embedded Chroma with the product documentation indexed (no account notes)."""
    _copy(settings, hashed=False)


def copy_hashed_demo_data(settings: Settings) -> None:
    """Fill ``settings``' data directory with the demo as the browser tests' server serves it:
    the CRM database with the demo people's consent (and its key), and the embedded Chroma with
    documentation and account notes embedded by ``HashingEmbeddingFunction``."""
    _copy(settings, hashed=True)


def _copy(settings: Settings, *, hashed: bool) -> None:
    template = _templates.get((settings.seed, hashed))
    if template is None:
        template = _templates[settings.seed, hashed] = _template(settings, hashed=hashed)
    shutil.copytree(template, settings.data_dir, dirs_exist_ok=True)


def _template(settings: Settings, *, hashed: bool) -> Path:
    """The template's folder: built once per run (shared by the workers), or once per process
    when no run folder is set."""
    shared = os.environ.get(TEMPLATES_VARIABLE)
    if not shared:
        root = Path(tempfile.mkdtemp(prefix="crm-demo-template-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _build_template(settings, root, hashed=hashed)
        return root
    root = Path(shared) / f"seed-{settings.seed}-{'hashed' if hashed else 'minilm'}"
    done = root.with_suffix(".complete")
    with FileLock(root.with_suffix(".lock")):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # what a crashed worker left half-built
            root.mkdir(parents=True)
            _build_template(settings, root, hashed=hashed)
            done.touch()
    return root


def _build_template(settings: Settings, root: Path, *, hashed: bool) -> None:
    template = settings.model_copy(update={"data_dir": root})
    migrate(template.resolved_database_url)
    engine = make_engine(template.resolved_database_url)
    try:
        seed_demo(engine, seed=template.seed, scale=DEMO_SCALE)
        crm = CRMStore(engine)
        if hashed:
            # As `crm-agents seed` does: most people consented to AI processing, a few did not.
            key = load_consent_key(template.resolved_governance_key_dir)
            seed_demo_consent(ConsentLedger(engine, key=key), seed=template.seed)
            memory = Memory.from_settings(template, embedding_function=HashingEmbeddingFunction())
            index_crm_into_memory(crm, memory)
        else:
            # The Q&A agent reads no account notes: only the documentation is embedded.
            index_documentation(crm, Memory.from_settings(template))
    finally:
        engine.dispose()  # the last connection closing folds SQLite's write-ahead log in
