"""Soft affinity: prefer hosts that already run members of the server group."""

from __future__ import annotations

from domain.compute.scheduler.request import PlacementRequest
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.weighers import Weigher, register


@register
class SoftAffinityWeigher(Weigher):
    name = "affinity"

    def applies(self, request: PlacementRequest) -> bool:
        return request.group_policy == "SOFT_AFFINITY"

    def weigh(self, host: HostState, request: PlacementRequest) -> float:
        return float(request.group_hosts.get(host.id, 0))
