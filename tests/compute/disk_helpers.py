"""GraphQL documents and helpers for volume, hotplug and resize tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

PAYLOAD = "task { id status } errors { field message code }"
DISK_CREATE = f"""mutation($in: DiskCreateInput!) {{ diskCreate(input: $in) {{
  disk {{ id name sizeGb status volume }} {PAYLOAD} }} }}"""
DISK_DELETE = f"mutation($id: ID!) {{ diskDelete(input: {{id: $id}}) {{ disk {{ id status }} {PAYLOAD} }} }}"
DISK_RESIZE = f"""mutation($id: ID!, $size: Int!) {{ diskResize(input: {{id: $id, sizeGb: $size}}) {{
  disk {{ id status }} {PAYLOAD} }} }}"""
DISK_ATTACH = f"""mutation($id: ID!, $disk: ID!) {{ serverDiskAttach(input: {{id: $id, diskId: $disk}}) {{
  server {{ id status }} disk {{ id status }} {PAYLOAD} }} }}"""
DISK_DETACH = f"""mutation($id: ID!, $disk: ID!) {{ serverDiskDetach(input: {{id: $id, diskId: $disk}}) {{
  server {{ id status }} disk {{ id status }} {PAYLOAD} }} }}"""
NIC_ATTACH = f"""mutation($id: ID!, $net: ID!) {{ serverNicAttach(input: {{id: $id, networkId: $net}}) {{
  nic {{ id mac ipAddress }} {PAYLOAD} }} }}"""
NIC_DETACH = f"""mutation($id: ID!, $nic: ID!) {{ serverNicDetach(input: {{id: $id, nicId: $nic}}) {{
  nic {{ id }} {PAYLOAD} }} }}"""
RESIZE = f"""mutation($in: ServerResizeInput!) {{ serverResize(input: $in) {{
  server {{ id status }} {PAYLOAD} }} }}"""
DISK = """query($id: ID!) { node(id: $id) { ... on Disk { id name sizeGb status device error volume
  server { id } host { name } } } }"""
DISKS = """query($f: DiskFilter) { disks(filter: $f) { totalCount edges { node { id name status sizeGb volume
  server { id } } } } }"""
SERVER = """query($id: ID!) { node(id: $id) { ... on Server { id status vcpus memoryMb diskGb error
  nics { id mac ipAddress } disks { id sizeGb device volume } } } }"""


async def mutate(client: GraphQLClient, document: str, **variables: Any) -> dict[str, Any]:
    data = await client.ok(document, variables)
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


async def node(client: GraphQLClient, document: str, obj_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await client.ok(document, {"id": obj_id}))["node"]
    return found


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]
