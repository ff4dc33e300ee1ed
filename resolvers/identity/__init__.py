"""Resolvers of the identity context."""
