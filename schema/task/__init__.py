"""GraphQL schema of tasks."""
