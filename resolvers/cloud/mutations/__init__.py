"""Cloud account mutations, one per module."""
