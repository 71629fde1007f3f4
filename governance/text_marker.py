"""The invisible marker that carries a manifest id inside a generated text, and the
normalisation under which copies of a text still count as the same text.

The marker is a run of zero-width characters between two INVISIBLE SEPARATORs (U+2063): each
carries two bits of the 12-byte manifest id. None of them is changed by NFC or NFKC nor removed
by ``str.strip``, so the marker survives normalisation and trimming; a tool that strips
zero-width characters removes it, and then the content hash alone finds the manifest.
"""

from __future__ import annotations

import re
import unicodedata

from governance.canonical import sha256_hex

FRAME = "\u2063"
DIGITS = ("\u200b", "\u200c", "\u200d", "\u2060")  # base-4 digits 0..3
ID_BYTES = 12
_MARKER = re.compile(f"{FRAME}([{''.join(DIGITS)}]{{{ID_BYTES * 4}}}){FRAME}")
_NEWLINES = re.compile(r"\r\n?")


def encode_marker(manifest_id: str) -> str:
    """The invisible marker for a manifest id of 24 hex digits."""
    raw = bytes.fromhex(manifest_id)
    if len(raw) != ID_BYTES:
        raise ValueError(f"manifest ids are {ID_BYTES * 2} hex digits")
    digits = "".join(DIGITS[(byte >> shift) & 3] for byte in raw for shift in (6, 4, 2, 0))
    return f"{FRAME}{digits}{FRAME}"


def find_marker(text: str) -> str | None:
    """The manifest id carried by the first marker in ``text``, if any."""
    match = _MARKER.search(text)
    if match is None:
        return None
    value = 0
    for char in match.group(1):
        value = value * 4 + DIGITS.index(char)
    return value.to_bytes(ID_BYTES, "big").hex()


def embed_marker(text: str, manifest_id: str) -> str:
    """``text`` with the marker after its first word, where a partial copy most often keeps it."""
    marker = encode_marker(manifest_id)
    match = re.search(r"\S+", text)
    if match is None:
        return text + marker
    return text[: match.end()] + marker + text[match.end() :]


def strip_markers(text: str) -> str:
    """``text`` without its markers (other zero-width characters are the text's own)."""
    return _MARKER.sub("", text)


def normalise(text: str) -> str:
    """The form copies are compared in: no markers, NFKC, ``\\n`` line ends, trimmed."""
    return unicodedata.normalize("NFKC", _NEWLINES.sub("\n", strip_markers(text))).strip()


def content_sha256(text: str) -> str:
    """sha256 of the normalised text: the key manifests are found by."""
    return sha256_hex(normalise(text).encode("utf-8"))


def raw_sha256(text: str) -> str:
    """sha256 of the exact text without markers: tells a byte-identical copy from a normalised one."""
    return sha256_hex(strip_markers(text).encode("utf-8"))
