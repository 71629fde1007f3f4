"""Signed AI output with real strings: the marker round-trips, copies that only differ by
Unicode normalisation, line ends, surrounding whitespace or a stripped marker still map to
their manifest, and any one-character edit fails."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import update

from crm.db import session_factory
from governance.audit_models import TextManifestRow
from governance.audit_services import AuditServices
from governance.text_marker import DIGITS, FRAME, embed_marker, find_marker, strip_markers

EMAIL = (
    "Dear Dr. Müller,\n\nthank you for Tuesday's meeting at Ruijin Hospital. As agreed, I attach "
    "the CT-9000 service plan (café-level coffee not included) and propose a follow-up call "
    "next week.\n\nBest regards,\nLi Wei"
)
CHINESE = "您好，王主任：感谢您周二的会面。我们将在下周提交CT-9000的技术资料，供您评估。"
ANSWER = "The ﬁlter cartridge of the AX-200 lasts 6 months; see the manual, section 4.2. ✅"
TEXTS = [EMAIL, CHINESE, ANSWER]


def _sign(audit: AuditServices, text: str) -> tuple[str, str]:
    marked, signed = audit.signed_output.sign_text(
        text,
        text_kind="email_draft",
        model="scripted/test",
        model_version="scripted-1",
        prompt_id="next_action.draft",
        prompt_sha256="ab" * 32,
        input_sha256="cd" * 32,
        recommendation_id="rec-1",
        agent="next_action",
    )
    return marked, signed.manifest.id


def test_the_marker_round_trips_and_is_invisible() -> None:
    manifest_id = "0123456789abcdef01234567"
    marked = embed_marker(EMAIL, manifest_id)
    assert find_marker(marked) == manifest_id
    assert strip_markers(marked) == EMAIL
    assert marked.startswith("Dear" + FRAME)  # after the first word
    extra = set(marked) - set(EMAIL)
    assert extra <= {FRAME, *DIGITS}
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        assert find_marker(unicodedata.normalize(form, marked)) == manifest_id


@pytest.mark.parametrize("text", TEXTS, ids=["email", "chinese", "answer"])
def test_a_signed_text_verifies_as_ours_and_unmodified(audit: AuditServices, text: str) -> None:
    marked, manifest_id = _sign(audit, text)
    result = audit.signed_output.verify_text(marked)
    assert (result.ours, result.unmodified, result.exact, result.marker_found) == (
        True,
        True,
        True,
        True,
    )
    assert result.manifest_id == manifest_id and result.signature_valid
    assert result.manifest is not None and result.manifest.recommendation_id == "rec-1"
    assert (
        result.manifest.model == "scripted/test"
        and result.manifest.prompt_id == "next_action.draft"
    )


@pytest.mark.parametrize(
    "copy",
    [
        lambda t: unicodedata.normalize("NFC", t),
        lambda t: unicodedata.normalize("NFD", t),
        lambda t: unicodedata.normalize("NFKC", t),
        lambda t: unicodedata.normalize("NFKD", t),
        lambda t: "  \n" + t + " \n\t",
        lambda t: t.replace("\n", "\r\n"),
        strip_markers,  # pasted through a tool that drops zero-width characters
        lambda t: strip_markers(unicodedata.normalize("NFKC", t)).strip() + "\n",
    ],
    ids=["nfc", "nfd", "nfkc", "nfkd", "whitespace", "crlf", "no-marker", "all"],
)
def test_copies_still_map_to_their_manifest(audit: AuditServices, copy: object) -> None:
    for text in TEXTS:
        marked, manifest_id = _sign(audit, text)
        result = audit.signed_output.verify_text(copy(marked))  # type: ignore[operator]
        assert result.ours and result.unmodified, (text, result)
        assert result.manifest_id == manifest_id


def test_the_same_text_signed_twice_maps_to_the_manifest_its_marker_names(
    audit: AuditServices,
) -> None:
    first, first_id = _sign(audit, CHINESE)
    second, second_id = _sign(audit, CHINESE)
    assert audit.signed_output.verify_text(second).manifest_id == second_id
    assert audit.signed_output.verify_text(first).manifest_id == first_id
    assert audit.signed_output.verify_text(strip_markers(second)).manifest_id == first_id


def _one_character_edits(text: str) -> list[str]:
    edits = []
    for i, char in enumerate(text):
        replacement = "x" if char.lower() != "x" else "y"
        edits.append(text[:i] + replacement + text[i + 1 :])  # substitute
        if not (char.isspace() and (i == 0 or i == len(text) - 1)):
            edits.append(text[:i] + text[i + 1 :])  # delete (not a trimmed end)
        edits.append(text[:i] + "q" + text[i:])  # insert
    return edits


@pytest.mark.parametrize("text", [ANSWER, CHINESE], ids=["answer", "chinese"])
def test_every_one_character_edit_fails(audit: AuditServices, text: str) -> None:
    marked, manifest_id = _sign(audit, text)
    edits = _one_character_edits(text)
    assert len(edits) > 2 * len(text)
    for edited in edits:
        # The edited text, with the marker where a copy would keep it, and without it.
        for candidate in (embed_marker(edited, manifest_id), edited):
            result = audit.signed_output.verify_text(candidate)
            assert not result.unmodified, (edited, result)
    with_marker = audit.signed_output.verify_text(embed_marker(text[:-1] + "!", manifest_id))
    assert with_marker.ours and not with_marker.unmodified
    assert with_marker.manifest_id == manifest_id  # still says which manifest it came from
    assert "modified" in with_marker.reason


def test_unknown_texts_and_unknown_markers_are_not_ours(audit: AuditServices) -> None:
    result = audit.signed_output.verify_text("A text nobody signed.")
    assert not result.ours and not result.marker_found and result.manifest_id is None
    forged = embed_marker("A text nobody signed.", "ffffffffffffffffffffffff")
    result = audit.signed_output.verify_text(forged)
    assert not result.ours and result.marker_found


def test_a_tampered_manifest_fails_its_signature(audit: AuditServices) -> None:
    marked, manifest_id = _sign(audit, EMAIL)
    with session_factory(audit.engine)() as session:
        row = session.get(TextManifestRow, manifest_id)
        assert row is not None
        forged = {**row.manifest, "model": "some-other-model"}
        session.execute(
            update(TextManifestRow).where(TextManifestRow.id == manifest_id).values(manifest=forged)
        )
        session.commit()
    result = audit.signed_output.verify_text(marked)
    assert result.signature_valid is False and not result.ours and not result.unmodified
    assert not audit.signed_output.get(manifest_id=manifest_id).signature_valid
