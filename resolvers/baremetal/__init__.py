"""Resolvers of the baremetal context."""
