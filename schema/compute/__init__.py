"""GraphQL schema of the compute context."""
