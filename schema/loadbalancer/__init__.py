"""GraphQL schema of the loadbalancer context."""
