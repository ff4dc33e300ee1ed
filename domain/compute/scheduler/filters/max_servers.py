"""The operator's cap on servers per host (a setting; 0 means none)."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class MaxServersFilter(Filter):
    name = "max_servers"
    order = 70

    def active(self, request: PlacementRequest) -> bool:
        return request.max_servers_per_host > 0

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        count = host.servers_count + request.placed_on(host.id)
        if count >= request.max_servers_per_host:
            return self.reject("too many servers", f"{count} of at most {request.max_servers_per_host}")
        return None
