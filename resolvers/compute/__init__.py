"""Resolvers of the compute context."""
