"""An administrator pinned the server to one host: every other host is out."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class RequestedHostFilter(Filter):
    name = "requested_host"
    order = 5
    static = True

    def active(self, request: PlacementRequest) -> bool:
        return request.host_id is not None

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if request.host_id is not None and host.id != request.host_id:
            return self.reject("not the requested host")
        return None
