"""Quotas: how much of the cloud a project may hold, checked where resources are allocated."""
