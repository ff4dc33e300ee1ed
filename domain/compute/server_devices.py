"""The rules of changing a placed server: volumes and NICs plugged in or out (hot while it runs,
in its definition while it is stopped) and resize (live within the maxima set at create, else
stop → redefine → start). Capacity and quota are taken when the change is accepted; the task's
undo gives back whatever it took."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute import ipam, scheduler
from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.hotplug import DIMM_ALIGN_MB, MAX_MEMORY_MB
from domain.compute.models import Disk, DiskStatus, Network, Nic, Server, ServerStatus
from domain.compute.servers import random_mac
from domain.compute.volumes import (
    check_idle_disk,
    is_boot_disk,
    lock_disk,
    lock_server,
    new_task,
    server_for_change,
)
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.quota import services as quota
from domain.scoping import get_for_change, get_visible
from domain.task.models import Task
from domain.task.services import Outbox


def _announce(outbox: Outbox, *rows: Server | Disk) -> None:
    for row in rows:
        status = row.status.value if isinstance(row, Server) else row.status
        outbox.changed(type(row).__name__, row.id, status, row.project_id, row.domain_id)


async def attach_disk(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    disk_id: uuid.UUID,
) -> tuple[Server, Disk, Task]:
    server = await server_for_change(session, principal, server_id)
    disk = await get_for_change(session, Disk, principal, disk_id, "update", field="diskId")
    if disk.server_id is not None:
        raise DomainError(Code.IN_USE, "The disk is attached to a server already", "diskId")
    check_idle_disk(disk, DiskStatus.READY, field="diskId")
    if disk.project_id != server.project_id:
        raise DomainError(Code.NOT_ALLOWED, "The disk belongs to another project", "diskId")
    if disk.host_id != server.host_id:
        raise DomainError(Code.NOT_ALLOWED, "The disk is on another host than the server (local storage)", "diskId")
    params = {"server_id": str(server.id), "disk_id": str(disk.id), "from_status": server.status.value}
    task = new_task(session, principal, outbox, meta, "server.disk_attach", server, params)
    await lock_server(session, server, task)
    await lock_disk(session, disk, task, DiskStatus.ATTACHING, (DiskStatus.READY.value,))
    _announce(outbox, server, disk)
    return server, disk, task


async def detach_disk(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    disk_id: uuid.UUID,
) -> tuple[Server, Disk, Task]:
    server = await server_for_change(session, principal, server_id)
    disk = await get_for_change(session, Disk, principal, disk_id, "update", field="diskId")
    if disk.server_id != server.id:
        raise DomainError(Code.INVALID_STATE, "The disk is not attached to this server", "diskId")
    if is_boot_disk(disk):
        raise DomainError(Code.NOT_ALLOWED, "The boot disk cannot be detached from its server", "diskId")
    check_idle_disk(disk, DiskStatus.READY, field="diskId")
    params = {"server_id": str(server.id), "disk_id": str(disk.id), "from_status": server.status.value}
    task = new_task(session, principal, outbox, meta, "server.disk_detach", server, params)
    await lock_server(session, server, task)
    await lock_disk(session, disk, task, DiskStatus.DETACHING, (DiskStatus.READY.value,))
    _announce(outbox, server, disk)
    return server, disk, task


async def new_nic(session: AsyncSession, server: Server, network: Network, index: int | None = None) -> Nic:
    """A NIC on the network with a fresh MAC and an address from IPAM; `index` None: after the last."""
    if index is None:
        last = select(func.coalesce(func.max(Nic.index) + 1, 0)).where(Nic.server_id == server.id)
        index = int(await session.scalar(last) or 0)
    for _attempt in range(8):
        # Random MACs (24 bits) collide now and then over thousands of NICs: draw again.
        nic = Nic(
            id=uuid.uuid4(),
            server_id=server.id,
            network_id=network.id,
            project_id=server.project_id,
            domain_id=server.domain_id,
            mac=random_mac(),
            index=index,
        )
        try:
            async with session.begin_nested():
                session.add(nic)
                await session.flush()
            break
        except IntegrityError:
            continue
    else:
        raise DomainError(Code.INVALID, "Could not draw a unique MAC address", "networkId")
    nic.ip_address = await ipam.allocate(session, network, nic.id)
    return nic


async def attach_nic(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    network_id: uuid.UUID,
) -> tuple[Server, Nic, Task]:
    server = await server_for_change(session, principal, server_id)
    network = await get_visible(session, Network, principal, network_id, field="networkId")
    if network.project_id not in (None, server.project_id):
        raise InvalidInput("networkId", "The network belongs to another project", Code.NOT_ALLOWED)
    await quota.charge(session, server.project_id, server.domain_id, {"ips": 1})
    nic = await new_nic(session, server, network)
    params = {"server_id": str(server.id), "nic_id": str(nic.id), "from_status": server.status.value}
    task = new_task(session, principal, outbox, meta, "server.nic_attach", server, params)
    await lock_server(session, server, task)
    _announce(outbox, server)
    return server, nic, task


async def detach_nic(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    nic_id: uuid.UUID,
) -> tuple[Server, Nic, Task]:
    server = await server_for_change(session, principal, server_id)
    nic = await session.get(Nic, nic_id)
    if nic is None or nic.server_id != server.id:
        raise DomainError(Code.NOT_FOUND, "The server has no such interface", "nicId")
    params = {"server_id": str(server.id), "nic_id": str(nic.id), "from_status": server.status.value}
    task = new_task(session, principal, outbox, meta, "server.nic_detach", server, params)
    await lock_server(session, server, task)
    _announce(outbox, server)
    return server, nic, task


@dataclass(frozen=True)
class ResizeRequest:
    vcpus: int | None = None
    memory_mb: int | None = None
    disk_gb: int | None = None
    live: bool | None = None  # None: live when possible, else cold; True: live or refuse; False: cold


def _targets(server: Server, req: ResizeRequest) -> tuple[int, int, int]:
    vcpus = server.vcpus if req.vcpus is None else req.vcpus
    memory_mb = server.memory_mb if req.memory_mb is None else req.memory_mb
    disk_gb = server.disk_gb if req.disk_gb is None else req.disk_gb
    for field, value, low, high in (
        ("vcpus", vcpus, 1, 128),
        ("memoryMb", memory_mb, 64, MAX_MEMORY_MB),
        ("diskGb", disk_gb, 1, 16 * 1024),
    ):
        if not low <= value <= high:
            raise DomainError(Code.OUT_OF_RANGE, f"{field} must be between {low} and {high}", field)
    if disk_gb < server.disk_gb:
        raise DomainError(
            Code.OUT_OF_RANGE, f"Disks only grow: the boot disk has {server.disk_gb} GiB, ask for more", "diskGb"
        )
    if (vcpus, memory_mb, disk_gb) == (server.vcpus, server.memory_mb, server.disk_gb):
        raise DomainError(Code.INVALID, "The server already has that size", "vcpus")
    return vcpus, memory_mb, disk_gb


def _live_refusal(server: Server, vcpus: int, memory_mb: int) -> str | None:
    """Why this resize cannot happen while the server runs, or None when it can."""
    if server.status is not ServerStatus.RUNNING:
        return "the server is not running"
    if vcpus < server.vcpus or memory_mb < server.memory_mb:
        return "a running server only grows; shrinking needs a stop"
    max_vcpus = int(server.extra.get("max_vcpus") or server.vcpus)
    max_memory = int(server.extra.get("max_memory_mb") or server.memory_mb)
    if vcpus > max_vcpus or memory_mb > max_memory:
        return f"while running it can grow to {max_vcpus} vCPUs and {max_memory} MiB"
    if (memory_mb - server.memory_mb) % DIMM_ALIGN_MB:
        # QEMU sizes a hot-plugged DIMM in whole 2 MiB pages.
        return f"memory grows live in steps of {DIMM_ALIGN_MB} MiB"
    return None


async def resize_server(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    req: ResizeRequest,
) -> tuple[Server, Task]:
    server = await server_for_change(session, principal, server_id)
    vcpus, memory_mb, disk_gb = _targets(server, req)
    refusal = _live_refusal(server, vcpus, memory_mb)
    if req.live and refusal is not None:
        raise DomainError(Code.NOT_ALLOWED, f"Cannot resize live: {refusal}", "live")
    mode = "live" if refusal is None and req.live is not False else "cold"
    delta = scheduler.Resources(vcpus - server.vcpus, memory_mb - server.memory_mb, disk_gb - server.disk_gb)
    await quota.charge(
        session,
        server.project_id,
        server.domain_id,
        {"vcpus": delta.vcpus, "memory_mb": delta.memory_mb, "disk_gb": delta.disk_gb},
    )
    assert server.host_id is not None
    if not await scheduler.adjust(session, server.host_id, delta):
        raise DomainError(Code.NO_CAPACITY, "The server's host has no room for the new size", "vcpus")
    params = {
        "server_id": str(server.id),
        "from_status": server.status.value,
        "mode": mode,
        "vcpus": vcpus,
        "memory_mb": memory_mb,
        "disk_gb": disk_gb,
        "delta": [delta.vcpus, delta.memory_mb, delta.disk_gb],
    }
    task = new_task(session, principal, outbox, meta, "server.resize", server, params)
    await lock_server(session, server, task, ServerStatus.RESIZING)
    _announce(outbox, server)
    return server, task
