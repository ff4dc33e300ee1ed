"""Nimbus' domain: SQLAlchemy models and the services that hold the platform's rules."""
