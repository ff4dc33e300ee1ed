"""Only ONLINE, enabled hosts take servers; maintenance and offline hosts are named as such."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class StatusFilter(Filter):
    name = "status"
    order = 10
    static = True

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if host.status == "MAINTENANCE":
            return self.reject("host is in maintenance")
        if host.status != "ONLINE":
            return self.reject(f"host is {host.status.lower()}")
        if not host.enabled:
            return self.reject("host is disabled")
        return None
