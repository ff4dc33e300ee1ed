"""Host aggregates by tag: every required tag present, no excluded tag present."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class TagsFilter(Filter):
    name = "tags"
    order = 30
    static = True

    def active(self, request: PlacementRequest) -> bool:
        return bool(request.required_tags or request.excluded_tags)

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        missing = request.required_tags - host.tags
        if missing:
            return self.reject("lacks a required tag", ", ".join(sorted(missing)))
        excluded = request.excluded_tags & host.tags
        if excluded:
            return self.reject("has an excluded tag", ", ".join(sorted(excluded)))
        return None
