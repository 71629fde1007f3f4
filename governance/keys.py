"""The Ed25519 key that signs ledger checkpoints, output manifests and evidence.

Generated on first use in ``Settings.resolved_governance_key_dir`` (file mode 0600). Creation
is atomic: a fully written temporary file is hard-linked into place, so two processes starting
together end up with one key and neither reads a half-written file.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance.canonical import sha256_hex

logger = logging.getLogger(__name__)

KEY_FILE = "ledger_ed25519.pem"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key with its public half and a short id naming it."""

    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_bytes(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        """First 16 hex digits of the sha256 of the raw public key."""
        return sha256_hex(self.public_bytes)[:16]

    def sign(self, data: bytes) -> str:
        """The signature of ``data``, base64url without padding."""
        return _b64(self.private.sign(data))

    def verify(self, data: bytes, signature: str | None) -> bool:
        """Whether ``signature`` is this key's signature of ``data``."""
        if not signature:
            return False
        try:
            self.public.verify(_unb64(signature), data)
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, key_dir: Path) -> SigningKey:
        """The key in ``key_dir``, created (mode 0600, folder 0700) when there is none."""
        path = key_dir / KEY_FILE
        if not path.exists():
            _create(path)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return cls(loaded)


def create_secret_file(path: Path, secret: bytes) -> None:
    """Write ``secret`` to ``path`` (mode 0600, folder 0700) unless it exists already.

    A fully written temporary file is hard-linked into place, so two processes starting
    together end up with one secret and neither reads a half-written file; the loser's secret
    is dropped and both then read the winner's. Other secrets kept beside the signing key (the
    API keys' hashing key) are created the same way.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secret)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
            logger.info("created secret file %s", path)
        except FileExistsError:  # another process won the race: its secret is the secret
            pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _create(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    create_secret_file(path, pem)
