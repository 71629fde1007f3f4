"""Audit ledger: append throughput and full verification time.

Appends ``--entries`` recommendation-like entries (ids, hashes and eight provenance references,
as the recorder writes them) to a fresh ledger, one transaction per entry as in production,
first from one thread and then from ``--threads`` threads; then verifies the whole ledger
(every hash, checkpoint and signature). The baseline, measured in the same run, is the same
payloads inserted one transaction each into a plain table with no hashing, signing or locking.

    .venv/bin/python bench/audit_ledger.py [--entries 10000] [--threads 4] [--url URL]

Without ``--url`` a temporary SQLite file is used (WAL, as the server runs it).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert

from core.settings import Settings
from crm.db import make_engine, migrate
from governance.audit_services import open_audit_services


def payload(i: int) -> dict[str, Any]:
    return {
        "recommendation_id": str(uuid.uuid4()),
        "kind": "next_action",
        "agent": "next_action",
        "purpose": "ai_processing",
        "contact_ids": [f"CON-{i % 500:05d}"],
        "account_id": f"ACC-{i % 80:04d}",
        "model": "local/smollm2",
        "prompt_id": "next_action.draft",
        "prompt_sha256": "a" * 64,
        "input_sha256": f"{i:064x}",
        "record_sha256": f"{i * 7:064x}",
        "manifest_ids": [uuid.uuid4().hex[:24]],
        "provenance": [
            {"source": "activities", "record_id": f"EVT-{i * 8 + j:06d}", "field": "kind"}
            for j in range(8)
        ],
    }


def baseline(url: str, payloads: list[dict[str, Any]]) -> float:
    engine = make_engine(url)
    table = Table(
        "bench_plain_log",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("payload", JSON),
    )
    table.create(engine, checkfirst=True)
    started = time.perf_counter()
    for item in payloads:
        with engine.begin() as connection:
            connection.execute(insert(table).values(payload=item))
    elapsed = time.perf_counter() - started
    table.drop(engine)
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    url = args.url or f"sqlite:///{folder / 'crm.db'}"
    settings = Settings(_env_file=None, data_dir=folder, database_url=url)
    migrate(url)
    audit = open_audit_services(settings)
    print(f"audit ledger bench: {args.entries} entries, {args.threads} threads, "
          f"{make_engine(url).dialect.name}, Python {platform.python_version()}, "
          f"{platform.machine()}")  # fmt: skip
    payloads = [payload(i) for i in range(args.entries)]

    plain = baseline(url, payloads)
    print(f"baseline  plain inserts      {args.entries / plain:8.0f} rows/s   ({plain:.2f} s)")

    started = time.perf_counter()
    for item in payloads:
        audit.ledger.append("recommendation", item)
    single = time.perf_counter() - started
    print(f"ledger    1 thread           {args.entries / single:8.0f} entries/s ({single:.2f} s, "
          f"{single / plain:.2f}x baseline)")  # fmt: skip

    chunks = [payloads[i :: args.threads] for i in range(args.threads)]
    threads = [
        threading.Thread(target=lambda c=c: [audit.ledger.append("recommendation", p) for p in c])
        for c in chunks
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    concurrent = time.perf_counter() - started
    print(f"ledger    {args.threads} threads          {args.entries / concurrent:8.0f} entries/s "
          f"({concurrent:.2f} s)")  # fmt: skip

    started = time.perf_counter()
    report = audit.verify()
    verify = time.perf_counter() - started
    print(f"verify    {report.entries} entries, {report.checkpoints} checkpoints: {verify:.2f} s "
          f"({report.entries / verify:.0f} entries/s), ok={report.ok}")  # fmt: skip
    audit.close()


if __name__ == "__main__":
    main()
