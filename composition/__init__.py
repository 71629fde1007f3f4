"""The composition root: every engine, ledger, store, model gateway and agent service of one
process, built once (``server.py`` and the CLI open it)."""
