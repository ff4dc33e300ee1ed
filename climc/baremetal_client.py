"""The baremetal part of the Python SDK: `BaremetalApi(client).register(...)` and so on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from climc.client import JSON, NimbusClient, _compact

HOST_FIELDS = """fragment BaremetalHostFields on BaremetalHost {
  id name protocol bmcAddress bmcPort status powerState bootDevice cpus memoryMb diskGb macs error
  maintenanceReason agent
}"""

HOSTS = (
    """
query BaremetalHosts($first: Int, $after: String, $filter: BaremetalHostFilter) {
  baremetalHosts(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...BaremetalHostFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + HOST_FIELDS
)


def _operation(name: str, input_type: str = "BaremetalHostIdInput") -> str:
    return (
        f"""
mutation {name[0].upper() + name[1:]}($input: {input_type}!) {{
  {name}(input: $input) {{
    host {{ ...BaremetalHostFields }}
    task {{ id kind status }}
    errors {{ field message code }}
  }}
}}
"""
        + HOST_FIELDS
    )


REGISTER = _operation("baremetalHostRegister", "BaremetalHostRegisterInput")
INSPECT = _operation("baremetalHostInspect")
POWER_ON = _operation("baremetalHostPowerOn")
POWER_OFF = _operation("baremetalHostPowerOff")
RESET = _operation("baremetalHostReset")
BOOT_DEVICE = _operation("baremetalHostSetBootDevice", "BaremetalHostSetBootDeviceInput")
MAINTENANCE = (
    """
mutation BaremetalHostMaintenance($input: BaremetalHostMaintenanceInput!) {
  baremetalHostMaintenance(input: $input) { host { ...BaremetalHostFields } errors { field message code } }
}
"""
    + HOST_FIELDS
)


class BaremetalApi:
    """Baremetal hosts: every change but maintenance returns the `task` doing it."""

    def __init__(self, client: NimbusClient) -> None:
        self.client = client

    def hosts(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self.client._connection(HOSTS, "baremetalHosts", first, after, filter)

    def _change(self, document: str, key: str, fields: Mapping[str, Any]) -> JSON:
        return self.client.mutate(document, {"input": _compact(fields)}, key)

    def register(self, **fields: Any) -> JSON:
        return self._change(REGISTER, "baremetalHostRegister", fields)

    def inspect(self, host_id: str) -> JSON:
        return self._change(INSPECT, "baremetalHostInspect", {"id": host_id})

    def power(self, host_id: str, action: str) -> JSON:
        document, key = {
            "on": (POWER_ON, "baremetalHostPowerOn"),
            "off": (POWER_OFF, "baremetalHostPowerOff"),
            "reset": (RESET, "baremetalHostReset"),
        }[action]
        return self._change(document, key, {"id": host_id})

    def set_boot_device(self, host_id: str, device: str) -> JSON:
        return self._change(BOOT_DEVICE, "baremetalHostSetBootDevice", {"id": host_id, "device": device})

    def maintenance(self, host_id: str, enabled: bool, reason: str | None = None) -> JSON:
        return self._change(
            MAINTENANCE, "baremetalHostMaintenance", {"id": host_id, "enabled": enabled, "reason": reason}
        )
