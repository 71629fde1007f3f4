"""Alembic migrations of the database schema (CRM and runtime tables)."""
