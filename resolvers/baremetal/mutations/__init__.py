"""Mutations of the baremetal context, one per module."""
