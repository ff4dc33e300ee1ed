"""Identity mutations, one per module."""
