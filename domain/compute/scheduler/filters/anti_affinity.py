"""Hard anti-affinity: no two members of the server group on one host."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class AntiAffinityFilter(Filter):
    name = "anti_affinity"
    order = 81

    def active(self, request: PlacementRequest) -> bool:
        return request.group_policy == "ANTI_AFFINITY"

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if request.group_hosts.get(host.id):
            return self.reject("a server group member is already here")
        return None
