"""Resolvers of the image context: GraphQL fields and the upload/download routes."""
