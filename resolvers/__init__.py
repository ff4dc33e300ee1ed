"""Thin GraphQL resolvers: parse input, call one domain service, return domain objects."""
