"""Soft anti-affinity: prefer hosts with the fewest members of the server group."""

from __future__ import annotations

from domain.compute.scheduler.request import PlacementRequest
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.weighers import Weigher, register


@register
class SoftAntiAffinityWeigher(Weigher):
    name = "anti_affinity"

    def applies(self, request: PlacementRequest) -> bool:
        return request.group_policy == "SOFT_ANTI_AFFINITY"

    def weigh(self, host: HostState, request: PlacementRequest) -> float:
        return -float(request.group_hosts.get(host.id, 0))
