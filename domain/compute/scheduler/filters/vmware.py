"""VMware hosts take only requests for hypervisor VMWARE; their VMs are made by the esxi agent."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState

VMWARE = "VMWARE"


@register
class VmwareFilter(Filter):
    name = "vmware"
    order = 25
    static = True

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if host.hypervisor == VMWARE and request.hypervisor != VMWARE:
            return self.reject("VMware host", "only requests for hypervisor VMWARE are placed on it")
        return None
