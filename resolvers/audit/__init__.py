"""Resolvers of the audit context."""
