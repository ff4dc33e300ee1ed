"""Spread: prefer the host with the most free memory and vCPUs (each scaled to the largest host)."""

from __future__ import annotations

from domain.compute.scheduler.request import SPREAD, PlacementRequest
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.weighers import Weigher, register


def free_shares(hosts: list[HostState], request: PlacementRequest) -> list[float]:
    if request.claims:
        return [free_share(h, request) for h in hosts]
    mu, vu = request.memory_unit, request.vcpus_unit
    return [h.memory_free * mu + h.vcpus_free * vu for h in hosts]


def free_share(host: HostState, request: PlacementRequest) -> float:
    """Free memory plus free vCPUs after this batch's claims, both in units of the largest host."""
    n = request.claims.get(host.id, 0)
    memory = host.memory_free - n * request.memory_mb
    vcpus = host.vcpus_free - n * request.vcpus
    return memory * request.memory_unit + vcpus * request.vcpus_unit


@register
class SpreadWeigher(Weigher):
    name = "spread"

    def applies(self, request: PlacementRequest) -> bool:
        return request.strategy == SPREAD

    def weigh(self, host: HostState, request: PlacementRequest) -> float:
        return free_share(host, request)

    def weigh_all(self, hosts: list[HostState], request: PlacementRequest) -> list[float]:
        return free_shares(hosts, request)
