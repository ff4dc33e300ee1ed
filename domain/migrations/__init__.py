"""Alembic migrations of the Nimbus database."""
