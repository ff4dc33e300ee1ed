"""The cloud part of the Python SDK: `CloudApi(client).account_create(...)` and so on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from climc.client import JSON, NimbusClient, _compact

TASK_REF = "task { id kind status progress stage error }"
ERRORS = "errors { field message code }"
ACCOUNT_FIELDS = (
    "id name provider enabled regions config syncIntervalS status lastSyncAt lastSyncError lastSyncResult"
    " project { id name }"
)

ACCOUNTS = f"""query CloudAccounts($first: Int, $after: String, $filter: CloudAccountFilter) {{
  cloudAccounts(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {ACCOUNT_FIELDS} }} }} }} }}"""
SKUS = """query Skus($first: Int, $after: String, $filter: SkuFilter) {
  skus(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name provider region vcpus memoryMb } } } }"""
ACCOUNT_CREATE = f"""mutation CloudAccountCreate($input: CloudAccountCreateInput!) {{
  cloudAccountCreate(input: $input) {{ cloudAccount {{ {ACCOUNT_FIELDS} }} {ERRORS} }} }}"""
ACCOUNT_UPDATE = f"""mutation CloudAccountUpdate($input: CloudAccountUpdateInput!) {{
  cloudAccountUpdate(input: $input) {{ cloudAccount {{ {ACCOUNT_FIELDS} }} {ERRORS} }} }}"""
ACCOUNT_DELETE = f"""mutation CloudAccountDelete($input: CloudAccountIdInput!) {{
  cloudAccountDelete(input: $input) {{ deletedId {ERRORS} }} }}"""
ACCOUNT_SYNC = f"""mutation CloudAccountSync($input: CloudAccountIdInput!) {{
  cloudAccountSync(input: $input) {{ cloudAccount {{ id name }} {TASK_REF} {ERRORS} }} }}"""


def credential_list(credentials: Mapping[str, str] | None) -> list[dict[str, str]] | None:
    return None if credentials is None else [{"key": k, "value": v} for k, v in credentials.items()]


class CloudApi:
    """Cloud accounts (system admins) and the SKUs their syncs import."""

    def __init__(self, client: NimbusClient) -> None:
        self.client = client

    def accounts(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self.client._connection(ACCOUNTS, "cloudAccounts", first, after, filter)

    def skus(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self.client._connection(SKUS, "skus", first, after, filter)

    def account_create(
        self, name: str, provider: str, regions: list[str], credentials: Mapping[str, str], **fields: Any
    ) -> JSON:
        values = {
            "name": name,
            "provider": provider,
            "regions": regions,
            "credentials": credential_list(credentials),
            **fields,
        }
        return self.client.mutate(ACCOUNT_CREATE, {"input": _compact(values)}, "cloudAccountCreate")

    def account_update(self, account_id: str, credentials: Mapping[str, str] | None = None, **fields: Any) -> JSON:
        values = {"id": account_id, "credentials": credential_list(credentials), **fields}
        return self.client.mutate(ACCOUNT_UPDATE, {"input": _compact(values)}, "cloudAccountUpdate")

    def account_delete(self, account_id: str) -> JSON:
        return self.client.mutate(ACCOUNT_DELETE, {"input": {"id": account_id}}, "cloudAccountDelete")

    def account_sync(self, account_id: str) -> JSON:
        return self.client.mutate(ACCOUNT_SYNC, {"input": {"id": account_id}}, "cloudAccountSync")
