"""How far a server may grow while it runs: fixed in its definition when it is created (or
redefined), because QEMU sizes the vCPU and memory slots when it starts."""

from __future__ import annotations

MAX_HOTPLUG_VCPUS = 64
HOTPLUG_MEMORY_FACTOR = 4
MAX_MEMORY_MB = 1024 * 1024
DIMM_ALIGN_MB = 2


def hotplug_maxima(vcpus: int, memory_mb: int) -> dict[str, int]:
    """The maxima kept in `Server.extra` and written into the domain's definition."""
    return {
        "max_vcpus": max(vcpus, min(2 * vcpus, MAX_HOTPLUG_VCPUS)),
        "max_memory_mb": max(memory_mb, min(max(HOTPLUG_MEMORY_FACTOR * memory_mb, memory_mb + 1024), MAX_MEMORY_MB)),
    }
