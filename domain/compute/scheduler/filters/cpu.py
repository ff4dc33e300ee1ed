"""vCPUs: what is left of cpus x cpu_ratio, less what this batch already put on the host."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class CpuFilter(Filter):
    name = "cpu"
    order = 60

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        free = host.vcpus_free - request.placed_on(host.id) * request.vcpus
        if free < request.vcpus:
            return self.reject("not enough vCPUs", f"needs {request.vcpus}, {free} of {host.vcpus_total} free")
        return None

    def select(self, hosts: list[HostState], request: PlacementRequest) -> list[HostState]:
        if request.claims:
            return super().select(hosts, request)
        need = request.vcpus
        return [h for h in hosts if h.vcpus_free >= need]
