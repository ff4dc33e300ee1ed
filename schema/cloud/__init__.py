"""GraphQL schema of the cloud context: accounts, SKUs and imported resources."""
