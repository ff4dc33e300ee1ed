"""Compute mutations, one per module."""
