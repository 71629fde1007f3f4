"""The data passport: which agents and models used which of a person's data, when and for what.

Built only from the audit ledger: entries that name the contact (through the ledger's contact
index, checked by verification), and decisions on their recommendations. Each use lists only
the provenance references that are the person's own data, never another person's.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from governance.ledger import AuditEntry, AuditLedger

# Keys an ``action_decision`` entry may name its decider by (``tools.actions`` writes ``reviewer``).
_WHO = ("reviewer", "decided_by", "decider", "who", "user")


class DataReference(BaseModel):
    """One piece of the person's data an agent used (no value, only where it lives)."""

    source: str
    record_id: str
    field: str


class Decision(BaseModel):
    """An approval or rejection of an action proposed in a recommendation."""

    at: datetime
    decision: str | None = None
    decided_by: str | None = None
    action_kind: str | None = None


class DataUse(BaseModel):
    """One ledger entry about the person."""

    seq: int = Field(description="Sequence number of the ledger entry.")
    at: datetime
    entry_kind: str
    agent: str | None = None
    model: str | None = None
    model_version: str | None = None
    prompt_id: str | None = None
    prompt_sha256: str | None = None
    purpose: str | None = None
    use: str | None = Field(None, description="What for: the recommendation kind.")
    recommendation_id: str | None = None
    data_used: list[DataReference] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)


class Passport(BaseModel):
    """Every recorded use of one person's data."""

    contact_id: str
    generated_at: datetime
    agents: list[str]
    models: list[str]
    uses: list[DataUse]


def _decision(entry: AuditEntry) -> Decision:
    payload = entry.payload
    return Decision(
        at=entry.created_at,
        decision=payload.get("decision"),
        decided_by=next((str(payload[k]) for k in _WHO if payload.get(k)), None),
        action_kind=payload.get("action_kind") or payload.get("kind"),
    )


def _use(entry: AuditEntry, contact_id: str, decisions: list[Decision]) -> DataUse:
    payload: dict[str, Any] = entry.payload
    references = [
        DataReference(source=r["source"], record_id=r["record_id"], field=r["field"])
        for r in payload.get("provenance") or []
        if isinstance(r, dict) and r.get("contact_id") == contact_id
    ]
    return DataUse(
        seq=entry.seq,
        at=entry.created_at,
        entry_kind=entry.kind,
        agent=payload.get("agent"),
        model=payload.get("model"),
        model_version=payload.get("model_version"),
        prompt_id=payload.get("prompt_id"),
        prompt_sha256=payload.get("prompt_sha256"),
        purpose=payload.get("purpose"),
        use=payload.get("kind"),
        recommendation_id=payload.get("recommendation_id"),
        data_used=references,
        decisions=decisions,
    )


def build_passport(ledger: AuditLedger, *, contact_id: str) -> Passport:
    """The passport of ``contact_id`` from the ledger (empty when nothing used their data)."""
    entries = ledger.entries_for_contact(contact_id=contact_id)
    recommendation_ids = {
        str(e.payload["recommendation_id"]) for e in entries if e.payload.get("recommendation_id")
    }
    decided: dict[str, list[Decision]] = {}
    for entry in ledger.entries_about(
        kind="action_decision", key="recommendation_id", values=recommendation_ids
    ):
        decided.setdefault(str(entry.payload["recommendation_id"]), []).append(_decision(entry))
    uses = [
        _use(e, contact_id, decided.get(str(e.payload.get("recommendation_id")), []))
        for e in entries
    ]
    return Passport(
        contact_id=contact_id,
        generated_at=datetime.now(UTC),
        agents=sorted({u.agent for u in uses if u.agent}),
        models=sorted({u.model for u in uses if u.model}),
        uses=uses,
    )


def _cell(value: object) -> str:
    return html.escape("" if value is None else str(value))


def render_passport_html(passport: Passport) -> str:
    """A plain, self-contained HTML page of the passport (no scripts, no external assets)."""
    rows = []
    for use in passport.uses:
        data = (
            "<br>".join(_cell(f"{r.source} {r.record_id} . {r.field}") for r in use.data_used)
            or "<em>subject only</em>"
        )
        decisions = "<br>".join(
            _cell(f"{d.decision} by {d.decided_by} ({d.action_kind})") for d in use.decisions
        )
        rows.append(
            "<tr>"
            f"<td>{_cell(use.at.isoformat(timespec='seconds'))}</td>"
            f"<td>{_cell(use.agent)}</td>"
            f"<td>{_cell(use.model)} {_cell(use.model_version)}</td>"
            f"<td>{_cell(use.prompt_id)}</td>"
            f"<td>{_cell(use.purpose)}: {_cell(use.use)}</td>"
            f"<td>{data}</td>"
            f"<td>{decisions}</td>"
            f"<td>{_cell(use.seq)}</td>"
            "</tr>"
        )
    body = (
        "\n".join(rows) or '<tr><td colspan="8">No recorded use of this person\'s data.</td></tr>'
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Data passport of {_cell(passport.contact_id)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .4rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
</style></head>
<body>
<h1>Data passport of {_cell(passport.contact_id)}</h1>
<p>Which agents and models used this person's data, when and for what, as recorded in the
tamper-evident audit ledger. Generated {_cell(passport.generated_at.isoformat(timespec="seconds"))}.</p>
<p>Agents: {_cell(", ".join(passport.agents) or "none")}. Models: {_cell(", ".join(passport.models) or "none")}.</p>
<table>
<thead><tr><th>When</th><th>Agent</th><th>Model</th><th>Prompt</th><th>For what</th>
<th>Data used</th><th>Decisions</th><th>Ledger entry</th></tr></thead>
<tbody>
{body}
</tbody></table>
</body></html>
"""
