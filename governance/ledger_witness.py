"""A copy of the ledger's signed head kept beside the signing key, outside the database.

The database's own signed head catches a dropped or rewritten tail, but an attacker who can
write the database could wipe the whole ledger (entries, checkpoints and head) or put back an
older head. The witness, written after every append into the key folder, still names the
newest head, so verification catches both. One file per database (named by a hash of its URL);
remove it only when deliberately starting a new database at the same URL.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import ValidationError

from governance.canonical import sha256_hex
from governance.ledger import SignedHead


def witness_path(key_dir: Path, database_url: str) -> Path:
    """Where the witness of the ledger in ``database_url`` lives."""
    return key_dir / f"ledger_head.{sha256_hex(database_url.encode('utf-8'))[:16]}.json"


class HeadWitness:
    """Reads and (atomically) replaces the witness file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, head: SignedHead) -> None:
        """Replace the witness with ``head`` unless it already names a longer ledger (another
        process appended meanwhile)."""
        current = self.read()
        if current is not None and current.count > head.count:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}.tmp")
        try:
            temporary.write_text(head.model_dump_json(), encoding="utf-8")
            os.replace(temporary, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def read(self) -> SignedHead | None:
        """The witnessed head, or None when there is none (a new ledger)."""
        try:
            return SignedHead.model_validate_json(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValidationError, ValueError):
            # A damaged witness is reported by verification as a head that does not verify.
            return SignedHead(count=-1, head_hash="", signed_at=None, key_id=None, signature=None)
