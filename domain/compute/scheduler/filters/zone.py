"""The request names a region or a zone: hosts elsewhere are out."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class ZoneFilter(Filter):
    name = "zone"
    order = 20
    static = True

    def active(self, request: PlacementRequest) -> bool:
        return request.zone_id is not None or request.region_id is not None

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if request.region_id is not None and host.region_id != request.region_id:
            return self.reject("in another region")
        if request.zone_id is not None and host.zone_id != request.zone_id:
            return self.reject("in another zone")
        return None
