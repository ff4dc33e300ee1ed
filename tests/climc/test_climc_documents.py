"""Every document the SDK sends is valid against the exported schema."""

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from climc import documents

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
# Fragments are sent inside the operations that spread them, never alone.
OPERATIONS = sorted(
    name
    for name, value in vars(documents).items()
    if name.isupper() and isinstance(value, str) and not name.endswith("_FIELDS")
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SCHEMA.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", OPERATIONS)
def test_document_is_valid(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(getattr(documents, name)))

    assert [error.message for error in errors] == []
