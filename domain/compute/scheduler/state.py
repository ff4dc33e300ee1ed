"""What the scheduler knows of a host: plain numbers, precomputed once per load, no ORM objects."""

from __future__ import annotations

import uuid
from typing import Any

# The columns a host state is built from, in this order (see `HostState.from_row`).
COLUMNS = (
    "id",
    "name",
    "zone_id",
    "status",
    "enabled",
    "arch",
    "hypervisor",
    "tags",
    "cpus",
    "cpu_ratio",
    "memory_mb",
    "memory_ratio",
    "storage_gb",
    "storage_ratio",
    "vcpus_used",
    "memory_used_mb",
    "storage_used_gb",
    "servers_count",
)


class HostState:
    """One host's placement facts; `*_free` are what may still be allocated (ratios applied)."""

    __slots__ = (
        "arch",
        "disk_free",
        "disk_total",
        "enabled",
        "hypervisor",
        "id",
        "memory_free",
        "memory_total",
        "name",
        "region_id",
        "servers_count",
        "status",
        "tags",
        "vcpus_free",
        "vcpus_total",
        "zone_id",
    )

    def __init__(
        self,
        *,
        id: uuid.UUID,
        name: str,
        status: str = "ONLINE",
        enabled: bool = True,
        zone_id: uuid.UUID | None = None,
        region_id: uuid.UUID | None = None,
        arch: str = "x86_64",
        hypervisor: str = "kvm",
        tags: frozenset[str] = frozenset(),
        vcpus_total: int = 0,
        memory_total: int = 0,
        disk_total: int = 0,
        vcpus_used: int = 0,
        memory_used: int = 0,
        disk_used: int = 0,
        servers_count: int = 0,
    ) -> None:
        self.id, self.name, self.status, self.enabled = id, name, status, enabled
        self.zone_id, self.region_id = zone_id, region_id
        self.arch, self.hypervisor, self.tags = arch, hypervisor, tags
        self.vcpus_total, self.memory_total, self.disk_total = vcpus_total, memory_total, disk_total
        self.vcpus_free = vcpus_total - vcpus_used
        self.memory_free = memory_total - memory_used
        self.disk_free = disk_total - disk_used
        self.servers_count = servers_count

    @classmethod
    def from_row(cls, row: Any, regions: dict[uuid.UUID, uuid.UUID]) -> HostState:
        (hid, name, zone_id, status, enabled, arch, hypervisor, tags, cpus, cpu_ratio, memory_mb, memory_ratio) = row[
            :12
        ]
        storage_gb, storage_ratio, vcpus_used, memory_used, storage_used, servers = row[12:]
        return cls(
            id=hid,
            name=name,
            zone_id=zone_id,
            region_id=regions.get(zone_id) if zone_id else None,
            status=str(getattr(status, "value", status)),
            enabled=bool(enabled),
            arch=arch,
            hypervisor=hypervisor,
            tags=frozenset(tags or ()),
            # Integer allocations against fractional totals: the same as comparing with the floor.
            vcpus_total=int(cpus * cpu_ratio),
            memory_total=int(memory_mb * memory_ratio),
            disk_total=int(storage_gb * storage_ratio),
            vcpus_used=vcpus_used,
            memory_used=memory_used,
            disk_used=storage_used,
            servers_count=servers,
        )

    def static_facts(self) -> tuple[Any, ...]:
        """What static filters read: when this changes, cached static verdicts are stale."""
        return (self.status, self.enabled, self.zone_id, self.region_id, self.arch, self.hypervisor, self.tags)

    def __repr__(self) -> str:
        return f"<HostState {self.name} vcpus {self.vcpus_free}/{self.vcpus_total} mem {self.memory_free}/{self.memory_total}>"
