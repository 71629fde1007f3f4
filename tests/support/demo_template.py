"""The small demo's data, seeded and indexed once per test process and copied for each module.

Seeding the demo at scale 0.05 takes seconds and embedding its documentation with MiniLM most of
a minute on two cores, while copying the result takes milliseconds. Each module still gets a
data directory of its own, so what one module's tests write is never seen by another."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.store import CRMStore
from memory import Memory
from tools.indexing import index_documentation

DEMO_SCALE = 0.05
_templates: dict[int, Path] = {}  # demo seed -> the seeded and indexed data directory


def copy_demo_data(settings: Settings) -> None:
    """Fill ``settings``' data directory with the demo (its seed, scale 0.05): the CRM database
    and the embedded Chroma with the product documentation indexed (no account notes)."""
    template = _templates.get(settings.seed)
    if template is None:
        template = _templates[settings.seed] = _build_template(settings)
    shutil.copytree(template, settings.data_dir, dirs_exist_ok=True)


def _build_template(settings: Settings) -> Path:
    root = Path(tempfile.mkdtemp(prefix="crm-demo-template-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    template = settings.model_copy(update={"data_dir": root})
    migrate(template.resolved_database_url)
    engine = make_engine(template.resolved_database_url)
    try:
        seed_demo(engine, seed=template.seed, scale=DEMO_SCALE)
        # The Q&A agent reads no account notes: only the documentation is embedded.
        index_documentation(CRMStore(engine), Memory.from_settings(template))
    finally:
        engine.dispose()  # the last connection closing folds SQLite's write-ahead log in
    return root
