"""Baremetal hosts as the scheduler sees them: one compute host per READY machine, with the
machine's inspected capacity, hypervisor BAREMETAL, taking a single server."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.baremetal.models import BaremetalHost, BaremetalStatus
from domain.compute.models import Host, HostStatus

HYPERVISOR = "BAREMETAL"


def compute_host_name(host: BaremetalHost) -> str:
    return f"baremetal-{host.name}"


async def publish(session: AsyncSession, host: BaremetalHost) -> Host:
    """Create or refresh the compute host of `host` from its inventory and status."""
    compute = await session.get(Host, host.compute_host_id, with_for_update=True) if host.compute_host_id else None
    if compute is None:
        compute = Host(name=compute_host_name(host), hypervisor=HYPERVISOR, libvirt_uri="", tags=["baremetal"])
        session.add(compute)
    compute.cpus, compute.memory_mb, compute.storage_gb = host.cpus, host.memory_mb, host.disk_gb
    # The whole machine goes to one server: nothing is overcommitted.
    compute.cpu_ratio = compute.memory_ratio = compute.storage_ratio = 1.0
    schedulable = host.status in (BaremetalStatus.READY, BaremetalStatus.DEPLOYING, BaremetalStatus.ACTIVE)
    compute.status = HostStatus.ONLINE if schedulable else HostStatus.MAINTENANCE
    await session.flush()
    host.compute_host_id = compute.id
    return compute
