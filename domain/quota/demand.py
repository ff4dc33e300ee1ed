"""What an allocation asks of the quota, per resource."""

from __future__ import annotations


def server_demand(count: int, vcpus: int, memory_mb: int, disk_gb: int, with_address: bool) -> dict[str, int]:
    return {
        "servers": count,
        "vcpus": count * vcpus,
        "memory_mb": count * memory_mb,
        "disk_gb": count * disk_gb,
        "ips": count if with_address else 0,
    }
