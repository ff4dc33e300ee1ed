"""Hard affinity: every member of the server group on one host, the one its members already use."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class AffinityFilter(Filter):
    name = "affinity"
    order = 80

    def active(self, request: PlacementRequest) -> bool:
        return request.group_policy == "AFFINITY"

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if request.group_hosts and host.id not in request.group_hosts:
            return self.reject("server group members are on another host")
        return None
