"""Persisted asynchronous tasks (region's taskman): the row is the truth, jobs only move it on."""
