"""Pack: prefer the fullest host that still fits, leaving whole hosts free for large servers."""

from __future__ import annotations

from domain.compute.scheduler.request import PACK, PlacementRequest
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.weighers import Weigher, register
from domain.compute.scheduler.weighers.spread import free_share, free_shares


@register
class PackWeigher(Weigher):
    name = "pack"

    def applies(self, request: PlacementRequest) -> bool:
        return request.strategy == PACK

    def weigh(self, host: HostState, request: PlacementRequest) -> float:
        return -free_share(host, request)

    def weigh_all(self, hosts: list[HostState], request: PlacementRequest) -> list[float]:
        return [-x for x in free_shares(hosts, request)]
