"""GraphQL schema of the identity context."""
