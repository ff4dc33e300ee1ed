"""Every document the vmware commands send is valid against the exported schema."""

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from climc import vmware_client
from climc.vmware_client import _server_mutation

SCHEMA = build_schema((Path(__file__).resolve().parents[2] / "schema" / "schema.graphql").read_text(encoding="utf-8"))
DOCUMENTS = {
    "ACCOUNTS": vmware_client.ACCOUNTS,
    "ACCOUNT_CREATE": vmware_client.ACCOUNT_CREATE,
    "ACCOUNT_SYNC": vmware_client.ACCOUNT_SYNC,
    "reconfigure": _server_mutation("vmwareServerReconfigure", "VmwareServerReconfigureInput"),
    "clone": _server_mutation("vmwareServerClone", "VmwareServerCloneInput"),
    **{
        verb: _server_mutation(f"vmwareServerSnapshot{verb.capitalize()}", "VmwareServerSnapshotInput")
        for verb in ("create", "revert", "delete")
    },
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid(name: str) -> None:
    assert [e.message for e in validate(SCHEMA, parse(DOCUMENTS[name]))] == []
