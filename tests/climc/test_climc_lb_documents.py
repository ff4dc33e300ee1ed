"""Every document the lb commands send is valid against the exported schema."""

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from climc import lb_documents

SCHEMA = build_schema((Path(__file__).resolve().parents[2] / "schema" / "schema.graphql").read_text(encoding="utf-8"))
OPERATIONS = sorted(
    name
    for name, value in vars(lb_documents).items()
    if name.isupper() and isinstance(value, str) and not name.endswith("_FIELDS") and "{" in value and "(" in value
)


@pytest.mark.parametrize("name", OPERATIONS)
def test_document_is_valid(name: str) -> None:
    assert [e.message for e in validate(SCHEMA, parse(getattr(lb_documents, name)))] == []
