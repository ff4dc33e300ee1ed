"""Resolvers of the cloud context."""
