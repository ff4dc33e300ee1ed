"""Audit log (logger): one record per mutation, successful or refused."""
