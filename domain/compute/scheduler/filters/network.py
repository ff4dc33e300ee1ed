"""The requested network must reach the host: a zonal network is attached to its zone's hosts only."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class NetworkFilter(Filter):
    name = "network"
    order = 40
    static = True

    def active(self, request: PlacementRequest) -> bool:
        return request.network_zone_id is not None

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if request.network_zone_id is not None and host.zone_id != request.network_zone_id:
            return self.reject("not attached to the requested network")
        return None
