"""GraphQL types, inputs and fields of the image context."""
