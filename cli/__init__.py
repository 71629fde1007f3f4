"""The ``crm-agents`` command line."""

__all__: list[str] = []
