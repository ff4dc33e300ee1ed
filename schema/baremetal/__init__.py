"""GraphQL types of the baremetal context."""
