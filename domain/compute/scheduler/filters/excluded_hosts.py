"""A migration leaves its source host: that host is never a candidate."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class ExcludedHostsFilter(Filter):
    name = "excluded_hosts"
    order = 6
    static = True

    def active(self, request: PlacementRequest) -> bool:
        return bool(request.excluded_host_ids)

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if host.id in request.excluded_host_ids:
            return self.reject("the server is leaving this host")
        return None
