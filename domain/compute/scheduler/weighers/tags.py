"""Preferred tags: the more of the request's preferred tags a host has, the better."""

from __future__ import annotations

from domain.compute.scheduler.request import PlacementRequest
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.weighers import Weigher, register


@register
class PreferredTagsWeigher(Weigher):
    name = "preferred_tags"

    def applies(self, request: PlacementRequest) -> bool:
        return bool(request.preferred_tags)

    def weigh(self, host: HostState, request: PlacementRequest) -> float:
        return float(len(request.preferred_tags & host.tags))
