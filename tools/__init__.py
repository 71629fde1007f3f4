"""Typed tools over the CRM store and the memory, usable by any agent."""

from tools.documentation import ProductDirectory, search_documentation
from tools.indexing import (
    index_account_notes,
    index_crm_into_memory,
    index_documentation,
    memory_is_indexed,
)

__all__ = [
    "ProductDirectory",
    "index_account_notes",
    "index_crm_into_memory",
    "index_documentation",
    "memory_is_indexed",
    "search_documentation",
]
