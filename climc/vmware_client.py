"""The VMware part of the Python SDK: accounts, and the operations only VMware servers have."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from climc.client import JSON, NimbusClient, _compact

ACCOUNT_FIELDS = """fragment VmwareAccountFields on VmwareAccount {
  id name endpoint username datacenters status lastSyncAt lastError projectId createdAt
  inventory { datacenters clusters hosts datastores networks vms }
}"""
ACCOUNTS = (
    """query VmwareAccounts($first: Int, $after: String, $filter: VmwareAccountFilter) {
  vmwareAccounts(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { ...VmwareAccountFields } } pageInfo { hasNextPage endCursor }
  }
}
"""
    + ACCOUNT_FIELDS
)
ACCOUNT_CREATE = (
    """mutation VmwareAccountCreate($input: VmwareAccountCreateInput!) {
  vmwareAccountCreate(input: $input) { vmwareAccount { ...VmwareAccountFields } task { id kind status }
    errors { field message code } }
}
"""
    + ACCOUNT_FIELDS
)
ACCOUNT_SYNC = (
    """mutation VmwareAccountSync($input: VmwareAccountSyncInput!) {
  vmwareAccountSync(input: $input) { vmwareAccount { ...VmwareAccountFields } task { id kind status }
    errors { field message code } }
}
"""
    + ACCOUNT_FIELDS
)
SERVER_PAYLOAD = "server { id name status vcpus memoryMb } task { id kind status } errors { field message code }"


def _server_mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {SERVER_PAYLOAD} }} }}"


class VmwareApi:
    def __init__(self, client: NimbusClient) -> None:
        self.client = client

    def accounts(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self.client._connection(ACCOUNTS, "vmwareAccounts", first, after, filter)

    def create(self, **fields: Any) -> JSON:
        return self.client.mutate(ACCOUNT_CREATE, {"input": _compact(fields)}, "vmwareAccountCreate")

    def sync(self, account_id: str) -> JSON:
        return self.client.mutate(ACCOUNT_SYNC, {"input": {"id": account_id}}, "vmwareAccountSync")

    def reconfigure(self, server_id: str, vcpus: int, memory_mb: int) -> JSON:
        document = _server_mutation("vmwareServerReconfigure", "VmwareServerReconfigureInput")
        fields = {"id": server_id, "vcpus": vcpus, "memoryMb": memory_mb}
        return self.client.mutate(document, {"input": fields}, "vmwareServerReconfigure")

    def snapshot(self, verb: str, server_id: str, name: str) -> JSON:
        key = f"vmwareServerSnapshot{verb.capitalize()}"
        document = _server_mutation(key, "VmwareServerSnapshotInput")
        return self.client.mutate(document, {"input": {"id": server_id, "name": name}}, key)

    def clone(self, source_id: str, name: str, project_id: str | None = None) -> JSON:
        document = _server_mutation("vmwareServerClone", "VmwareServerCloneInput")
        fields = _compact({"sourceId": source_id, "name": name, "projectId": project_id})
        return self.client.mutate(document, {"input": fields}, "vmwareServerClone")
