"""Local disk: what is left of storage_gb x storage_ratio, less what this batch already put there."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class DiskFilter(Filter):
    name = "disk"
    order = 62

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        free = host.disk_free - request.placed_on(host.id) * request.disk_gb
        if free < request.disk_gb:
            return self.reject("not enough disk", f"needs {request.disk_gb} GB, {free} of {host.disk_total} GB free")
        return None

    def select(self, hosts: list[HostState], request: PlacementRequest) -> list[HostState]:
        if request.claims:
            return super().select(hosts, request)
        need = request.disk_gb
        return [h for h in hosts if h.disk_free >= need]
