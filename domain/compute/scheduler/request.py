"""What is asked of the scheduler: the server shape, where it may go, and the batch so far."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

SPREAD, PACK = "SPREAD", "PACK"
STRATEGIES = (SPREAD, PACK)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a filter removed a host: `summary` is what failures are counted by, `detail` the numbers."""

    filter: str
    summary: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.summary} ({self.detail})" if self.detail else self.summary


@dataclass(frozen=True)
class PlacementHints:
    """The placement part of a create request, kept in the task's params between stages."""

    zone_id: uuid.UUID | None = None
    region_id: uuid.UUID | None = None
    required_tags: frozenset[str] = frozenset()
    excluded_tags: frozenset[str] = frozenset()
    preferred_tags: frozenset[str] = frozenset()
    arch: str | None = None
    hypervisor: str | None = None
    server_group_id: uuid.UUID | None = None
    strategy: str | None = None
    allow_partial: bool = False

    def to_params(self) -> dict[str, Any]:
        def uid(value: uuid.UUID | None) -> str | None:
            return str(value) if value else None

        return {
            "zone_id": uid(self.zone_id),
            "region_id": uid(self.region_id),
            "required_tags": sorted(self.required_tags),
            "excluded_tags": sorted(self.excluded_tags),
            "preferred_tags": sorted(self.preferred_tags),
            "arch": self.arch,
            "hypervisor": self.hypervisor,
            "server_group_id": uid(self.server_group_id),
            "strategy": self.strategy,
            "allow_partial": self.allow_partial,
        }

    @classmethod
    def from_params(cls, data: dict[str, Any] | None) -> PlacementHints:
        if not data:
            return cls()

        def uid(key: str) -> uuid.UUID | None:
            return uuid.UUID(data[key]) if data.get(key) else None

        return cls(
            zone_id=uid("zone_id"),
            region_id=uid("region_id"),
            required_tags=frozenset(data.get("required_tags") or ()),
            excluded_tags=frozenset(data.get("excluded_tags") or ()),
            preferred_tags=frozenset(data.get("preferred_tags") or ()),
            arch=data.get("arch"),
            hypervisor=data.get("hypervisor"),
            server_group_id=uid("server_group_id"),
            strategy=data.get("strategy"),
            allow_partial=bool(data.get("allow_partial")),
        )


@dataclass(slots=True)
class PlacementRequest:
    """One decision: `count` servers of one shape. `claims` and `group_hosts` grow as a batch is placed."""

    vcpus: int
    memory_mb: int
    disk_gb: int
    count: int = 1
    host_id: uuid.UUID | None = None
    # Hosts the server must leave (a migration's source): never chosen.
    excluded_host_ids: frozenset[uuid.UUID] = frozenset()
    zone_id: uuid.UUID | None = None
    region_id: uuid.UUID | None = None
    required_tags: frozenset[str] = frozenset()
    excluded_tags: frozenset[str] = frozenset()
    preferred_tags: frozenset[str] = frozenset()
    network_id: uuid.UUID | None = None
    # The zone a zonal network lives in: only hosts of that zone are attached to it.
    network_zone_id: uuid.UUID | None = None
    arch: str | None = None
    hypervisor: str | None = None
    group_id: uuid.UUID | None = None
    group_policy: str | None = None
    # host id -> members of the server group already there (and placed by this batch).
    group_hosts: dict[uuid.UUID, int] = field(default_factory=dict)
    strategy: str = SPREAD
    allow_partial: bool = False
    max_servers_per_host: int = 0
    multipliers: dict[str, float] = field(default_factory=dict)
    # host id -> servers of this request placed there so far.
    claims: dict[uuid.UUID, int] = field(default_factory=dict)
    # Normalisation units, set once per decision: 1 / the largest host's totals.
    memory_unit: float = 1.0
    vcpus_unit: float = 1.0

    def placed_on(self, host_id: uuid.UUID) -> int:
        return self.claims.get(host_id, 0)

    def static_key(self) -> tuple[Any, ...]:
        """What the static filters read from a request: requests alike share their verdicts."""
        return (
            self.host_id,
            self.excluded_host_ids,
            self.zone_id,
            self.region_id,
            self.required_tags,
            self.excluded_tags,
            self.network_id,
            self.network_zone_id,
            self.arch,
            self.hypervisor,
        )

    def shape(self) -> str:
        return f"{self.vcpus} vCPU, {self.memory_mb} MB memory, {self.disk_gb} GB disk"
