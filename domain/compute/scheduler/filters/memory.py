"""Memory: what is left of memory_mb x memory_ratio, less what this batch already put on the host."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class MemoryFilter(Filter):
    name = "memory"
    order = 61

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        free = host.memory_free - request.placed_on(host.id) * request.memory_mb
        if free < request.memory_mb:
            return self.reject(
                "not enough memory", f"needs {request.memory_mb} MB, {free} of {host.memory_total} MB free"
            )
        return None

    def select(self, hosts: list[HostState], request: PlacementRequest) -> list[HostState]:
        if request.claims:
            return super().select(hosts, request)
        need = request.memory_mb
        return [h for h in hosts if h.memory_free >= need]
