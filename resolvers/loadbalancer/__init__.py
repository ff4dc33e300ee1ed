"""Resolvers of the loadbalancer context."""
