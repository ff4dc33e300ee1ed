"""Resolvers of tasks."""
