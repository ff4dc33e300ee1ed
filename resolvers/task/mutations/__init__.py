"""Task mutations."""
