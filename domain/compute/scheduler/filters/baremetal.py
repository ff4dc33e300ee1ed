"""Baremetal hosts take one server each, and only servers that asked for hypervisor BAREMETAL."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState

BAREMETAL = "BAREMETAL"


@register
class BaremetalFilter(Filter):
    name = "baremetal"
    order = 16

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        wants = (request.hypervisor or "").upper() == BAREMETAL
        if host.hypervisor != BAREMETAL:
            return self.reject("not a baremetal host", "the request asks for a physical machine") if wants else None
        if not wants:
            return self.reject("baremetal host", "only requests for hypervisor BAREMETAL are placed on it")
        if host.servers_count + request.placed_on(host.id) > 0:
            return self.reject("already allocated", "a physical machine holds one server")
        return None
