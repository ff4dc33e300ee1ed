"""Which servers a host agent drives through libvirt, and the operations only those have."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import Host, Server
from domain.errors import DomainError

# What host agents report: kvm, qemu (TCG) or libvirt's test driver. Hosts that other drivers
# manage (VMware, public clouds, bare metal) report their own names.
LIBVIRT = frozenset({"kvm", "qemu", "test"})


async def require_libvirt(session: AsyncSession, server: Server, operation: str) -> None:
    """Refuse an operation of the host agent (volumes, snapshots, migration…) on another kind of server."""
    cloud = (server.extra or {}).get("cloud")
    if isinstance(cloud, dict):  # a public cloud's instance (domain.cloud): no host of ours runs it
        provider = str(cloud.get("provider", "cloud")).upper()
        raise DomainError(Code.NOT_ALLOWED, f"{operation} is not available for {provider} servers", "id")
    if server.host_id is None:
        return
    host = await session.get(Host, server.host_id)
    if host is not None and host.hypervisor not in LIBVIRT:
        raise DomainError(Code.NOT_ALLOWED, f"{operation} is not available for {host.hypervisor} servers", "id")
