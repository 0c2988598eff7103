"""Alembic migrations of the run store, applied programmatically by ``open_store``."""
