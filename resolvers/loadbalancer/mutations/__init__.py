"""Mutations of the loadbalancer context, one per module."""
