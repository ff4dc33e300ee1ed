"""GraphQL schema of the audit context."""
