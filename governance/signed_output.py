"""Signed AI output: a manifest per generated text, stored server-side, signed with Ed25519,
found by the hash of the normalised text or by the invisible marker carried in the text."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from crm.db import session_factory
from governance.audit_errors import ManifestNotFound
from governance.audit_models import TextManifestRow
from governance.canonical import canonical_json
from governance.keys import SigningKey
from governance.text_marker import (
    ID_BYTES,
    content_sha256,
    embed_marker,
    find_marker,
    raw_sha256,
)

TextKind = Literal["answer", "email_draft", "talk_track"]


class Manifest(BaseModel):
    """What produced a text: the signed statement stored for it (no text, only hashes)."""

    id: str
    text_kind: str
    content_sha256: str = Field(description="sha256 of the normalised text (NFKC, trimmed).")
    raw_sha256: str = Field(description="sha256 of the exact text, markers removed.")
    model: str | None = None
    model_version: str | None = None
    prompt_id: str | None = None
    prompt_sha256: str | None = None
    input_sha256: str | None = None
    recommendation_id: str | None = None
    agent: str | None = None
    created_at: datetime
    key_id: str


class SignedManifest(BaseModel):
    """A manifest with its signature and whether the signature still verifies."""

    manifest: Manifest
    signature: str
    signature_valid: bool


class TextVerification(BaseModel):
    """Whether a text is ours, unmodified, and which manifest it maps to."""

    ours: bool = Field(description="A manifest of ours was found (by content or by marker).")
    unmodified: bool = Field(description="The text matches its manifest's content hash.")
    exact: bool = Field(description="Byte-identical to the signed text (markers aside).")
    marker_found: bool
    manifest_id: str | None = None
    manifest: Manifest | None = None
    signature_valid: bool | None = None
    reason: str


def manifest_bytes(manifest: Manifest) -> bytes:
    """The bytes a manifest signature covers."""
    return canonical_json(manifest.model_dump(mode="json"))


class SignedOutput:
    """Creates, finds and verifies manifests of generated texts."""

    def __init__(self, engine: Engine, key: SigningKey) -> None:
        self.key = key
        self._sessions = session_factory(engine)

    def sign_text(
        self,
        text: str,
        *,
        text_kind: str,
        model: str | None = None,
        model_version: str | None = None,
        prompt_id: str | None = None,
        prompt_sha256: str | None = None,
        input_sha256: str | None = None,
        recommendation_id: str | None = None,
        agent: str | None = None,
    ) -> tuple[str, SignedManifest]:
        """Store a signed manifest for ``text``; return the text with its marker, and the manifest."""
        manifest = Manifest(
            id=secrets.token_hex(ID_BYTES),
            text_kind=text_kind,
            content_sha256=content_sha256(text),
            raw_sha256=raw_sha256(text),
            model=model,
            model_version=model_version,
            prompt_id=prompt_id,
            prompt_sha256=prompt_sha256,
            input_sha256=input_sha256,
            recommendation_id=recommendation_id,
            agent=agent,
            created_at=datetime.now(UTC),
            key_id=self.key.key_id,
        )
        signature = self.key.sign(manifest_bytes(manifest))
        row = TextManifestRow(
            id=manifest.id,
            content_sha256=manifest.content_sha256,
            raw_sha256=manifest.raw_sha256,
            recommendation_id=recommendation_id,
            manifest=manifest.model_dump(mode="json"),
            signature=signature,
            created_at=manifest.created_at,
        )
        with self._sessions() as session:
            session.add(row)
            session.commit()
        signed = SignedManifest(manifest=manifest, signature=signature, signature_valid=True)
        return embed_marker(text, manifest.id), signed

    def get(self, *, manifest_id: str) -> SignedManifest:
        """The manifest ``manifest_id`` with a fresh signature check."""
        with self._sessions() as session:
            row = session.get(TextManifestRow, manifest_id)
            if row is None:
                raise ManifestNotFound(manifest_id)
            return self._signed(row)

    def _signed(self, row: TextManifestRow) -> SignedManifest:
        manifest = Manifest.model_validate(row.manifest)
        valid = (
            manifest.id == row.id
            and manifest.content_sha256 == row.content_sha256
            and self.key.verify(manifest_bytes(manifest), row.signature)
        )
        return SignedManifest(manifest=manifest, signature=row.signature, signature_valid=valid)

    def _by_content(self, digest: str) -> list[TextManifestRow]:
        with self._sessions() as session:
            stmt = (
                select(TextManifestRow)
                .where(TextManifestRow.content_sha256 == digest)
                .order_by(TextManifestRow.created_at, TextManifestRow.id)
            )
            return list(session.scalars(stmt))

    def verify_text(self, text: str) -> TextVerification:
        """Whether ``text`` is a text we signed, unmodified (up to normalisation), and which."""
        marker_id = find_marker(text)
        matches = self._by_content(content_sha256(text))
        chosen = next((r for r in matches if r.id == marker_id), matches[0] if matches else None)
        if chosen is not None:
            signed = self._signed(chosen)
            exact = signed.manifest.raw_sha256 == raw_sha256(text)
            reason = (
                "signed and unmodified"
                if signed.signature_valid
                else "manifest signature is invalid"
            )
            if signed.signature_valid and not exact:
                reason = (
                    "signed and unmodified up to Unicode normalisation or surrounding whitespace"
                )
            return _result(
                signed, marker_id, unmodified=signed.signature_valid, exact=exact, reason=reason
            )
        if marker_id is not None:
            try:
                signed = self.get(manifest_id=marker_id)
            except ManifestNotFound:
                return TextVerification(
                    ours=False,
                    unmodified=False,
                    exact=False,
                    marker_found=True,
                    manifest_id=marker_id,
                    reason="the marker names no manifest of ours",
                )
            return _result(
                signed,
                marker_id,
                unmodified=False,
                exact=False,
                reason="the text was modified after it was signed",
            )
        return TextVerification(
            ours=False,
            unmodified=False,
            exact=False,
            marker_found=False,
            reason="no manifest matches this text and it carries no marker",
        )


def _result(
    signed: SignedManifest, marker_id: str | None, *, unmodified: bool, exact: bool, reason: str
) -> TextVerification:
    return TextVerification(
        ours=signed.signature_valid,
        unmodified=unmodified,
        exact=exact and unmodified,
        marker_found=marker_id is not None,
        manifest_id=signed.manifest.id,
        manifest=signed.manifest,
        signature_valid=signed.signature_valid,
        reason=reason,
    )
