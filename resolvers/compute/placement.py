"""Placement arguments of serverCreate and schedulerForecast, decoded from global ids."""

from __future__ import annotations

from dataclasses import dataclass

from domain.compute.scheduler import PlacementHints
from resolvers.ids import decode_optional


@dataclass(frozen=True)
class PlacementArgs:
    zone_id: str | None = None
    region_id: str | None = None
    required_tags: list[str] | None = None
    excluded_tags: list[str] | None = None
    preferred_tags: list[str] | None = None
    arch: str | None = None
    hypervisor: str | None = None
    server_group_id: str | None = None
    strategy: str | None = None
    allow_partial: bool = False

    def decode(self) -> PlacementHints:
        return PlacementHints(
            zone_id=decode_optional(self.zone_id, "Zone", "zoneId"),
            region_id=decode_optional(self.region_id, "Region", "regionId"),
            required_tags=frozenset(self.required_tags or ()),
            excluded_tags=frozenset(self.excluded_tags or ()),
            preferred_tags=frozenset(self.preferred_tags or ()),
            arch=self.arch or None,
            hypervisor=self.hypervisor or None,
            server_group_id=decode_optional(self.server_group_id, "ServerGroup", "serverGroupId"),
            strategy=self.strategy,
            allow_partial=self.allow_partial,
        )
