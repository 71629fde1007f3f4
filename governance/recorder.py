"""The recorder every finalised recommendation goes through: sign its texts, store it, audit it.

Wraps the recommendation log (or any :class:`~core.recommendation.RecommendationRecorder`):
the answer and any drafted e-mail or talk track get a signed manifest and an invisible marker;
the recommendation is stored with ``signature`` set; a ``recommendation`` entry naming the
contacts, agent, model, prompt and provenance references (no values) is appended to the ledger.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from core.audit import AuditSink
from core.recommendation import Recommendation, RecommendationRecorder
from governance.canonical import canonical_sha256
from governance.fact_subjects import contacts_of_facts
from governance.ledger_payload import normalise_payload
from governance.signed_output import SignedOutput

logger = logging.getLogger(__name__)

PURPOSE = "ai_processing"


def _manifest_fields(recommendation: Recommendation) -> dict[str, Any]:
    model, prompt = recommendation.model, recommendation.prompt
    return {
        "model": model.name if model else None,
        "model_version": model.version if model else None,
        "prompt_id": prompt.id if prompt else None,
        "prompt_sha256": prompt.sha256 if prompt else None,
        "input_sha256": recommendation.input_sha256,
        "recommendation_id": recommendation.id,
        "agent": recommendation.agent,
    }


def _draft_kind(recommendation: Recommendation) -> str:
    emails = any(action.kind == "send_email" for action in recommendation.actions)
    return "email_draft" if emails else "talk_track"


def _replace_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, dict):
        return {key: _replace_strings(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_strings(item, old, new) for item in value]
    return value


class SignedAuditedRecorder:
    """A :class:`RecommendationRecorder` that signs, stores through ``inner`` and audits."""

    def __init__(
        self,
        inner: RecommendationRecorder | None,
        *,
        ledger: AuditSink,
        signed_output: SignedOutput,
        crm_engine: Engine | None = None,
    ) -> None:
        self.inner = inner
        self.ledger = ledger
        self.signed_output = signed_output
        self.crm_engine = crm_engine

    def record(self, recommendation: Recommendation) -> Recommendation:
        """Sign, store and audit ``recommendation``; return it final, with texts marked."""
        signed, manifest_ids = self._sign(recommendation)
        final = signed.model_copy(update={"status": "final"})
        # Checked before anything is stored: a payload the ledger refuses stores nothing.
        entry = normalise_payload(self._entry(final, manifest_ids))
        if self.inner is not None:
            final = self.inner.record(signed)
        self.ledger.append("recommendation", entry)
        return final

    def _sign(self, recommendation: Recommendation) -> tuple[Recommendation, list[str]]:
        fields = _manifest_fields(recommendation)
        content, manifest = self.signed_output.sign_text(
            recommendation.content, text_kind="answer", **fields
        )
        update: dict[str, Any] = {
            "content": content,
            "signature": f"{manifest.manifest.id}.{manifest.signature}",
        }
        manifest_ids = [manifest.manifest.id]
        section = recommendation.data.get(recommendation.kind)
        draft = section.get("draft") if isinstance(section, dict) else None
        if isinstance(draft, str) and draft.strip():
            marked, draft_manifest = self.signed_output.sign_text(
                draft, text_kind=_draft_kind(recommendation), **fields
            )
            manifest_ids.append(draft_manifest.manifest.id)
            update["data"] = _replace_strings(recommendation.data, draft, marked)
            update["actions"] = [
                action.model_copy(
                    update={"payload": _replace_strings(action.payload, draft, marked)}
                )
                for action in recommendation.actions
            ]
        return recommendation.model_copy(update=update), manifest_ids

    def _entry(self, final: Recommendation, manifest_ids: list[str]) -> dict[str, Any]:
        people = contacts_of_facts(self.crm_engine, final.provenance)
        contact_ids = set(people.values())
        if final.subject.get("contact_id"):
            contact_ids.add(final.subject["contact_id"])
        references = []
        for fact in final.provenance:
            reference = {"source": fact.source, "record_id": fact.record_id, "field": fact.field}
            person = people.get((fact.source, fact.record_id))
            if person:
                reference["contact_id"] = person
            if reference not in references:
                references.append(reference)
        return {
            "recommendation_id": final.id,
            "kind": final.kind,
            "agent": final.agent,
            "purpose": PURPOSE,
            "contact_ids": sorted(contact_ids),
            "account_id": final.subject.get("account_id"),
            "deal_id": final.subject.get("deal_id"),
            **{
                k: v
                for k, v in _manifest_fields(final).items()
                if k not in ("agent", "recommendation_id")
            },
            "confidence": final.confidence,
            "record_sha256": canonical_sha256(final.model_dump(mode="json")),
            "manifest_ids": manifest_ids,
            "provenance": references,
        }
