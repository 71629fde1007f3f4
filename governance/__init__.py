"""Trust and data sovereignty: audit ledger, signed output, consent, evidence."""

__all__: list[str] = []
