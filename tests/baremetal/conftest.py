"""A running baremetal platform: the worker and a baremetal agent in the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from nimbus.processes import build_baremetal_agent
from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_task
from tests.conftest import GraphQLClient

HOST_FIELDS = """id name protocol status powerState bootDevice cpus memoryMb macs error
  inventory { cpus memoryMb vendor model nics { mac } notes }"""
REGISTER = f"""mutation($in: BaremetalHostRegisterInput!) {{ baremetalHostRegister(input: $in) {{
  host {{ {HOST_FIELDS} }} task {{ id }} errors {{ field message code }} }} }}"""
HOST = f"""query($id: ID!) {{ node(id: $id) {{ ... on BaremetalHost {{ {HOST_FIELDS} }} }} }}"""
HOSTS = "{ baremetalHosts { totalCount edges { node { id name status } } } }"


def operation(name: str, input_type: str = "BaremetalHostIdInput") -> str:
    return f"""mutation($in: {input_type}!) {{ {name}(input: $in) {{
  host {{ id status powerState bootDevice }} task {{ id }} errors {{ field message code }} }} }}"""


POWER_ON = operation("baremetalHostPowerOn")
POWER_OFF = operation("baremetalHostPowerOff")
RESET = operation("baremetalHostReset")
INSPECT = operation("baremetalHostInspect")
BOOT = operation("baremetalHostSetBootDevice", "BaremetalHostSetBootDeviceInput")
MAINTENANCE = """mutation($in: BaremetalHostMaintenanceInput!) { baremetalHostMaintenance(input: $in) {
  host { id status maintenanceReason } errors { field message code } } }"""


@pytest.fixture
async def bmcloud(settings: Settings, tmp_path: Path, admin: GraphQLClient) -> AsyncIterator[Cloud]:
    c = Cloud(settings, tmp_path)
    await c.start_worker()
    c._run(build_baremetal_agent(settings, agent_name="default", handle_signals=False))
    yield c
    await c.stop()


async def run(client: GraphQLClient, document: str, values: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    """Run a task mutation, check it was accepted, and return its finished task."""
    data = await client.ok(document, {"in": values})
    payload: dict[str, Any] = next(iter(data.values()))
    assert payload["errors"] == [], payload
    return await wait_task(client, payload["task"]["id"], timeout=timeout)


async def host(client: GraphQLClient, host_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await client.ok(HOST, {"id": host_id}))["node"]
    return node
