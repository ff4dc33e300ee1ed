"""The rules of volumes: disks made on their own (diskCreate) on one host's local storage, grown,
deleted, and attached to or detached from the servers on that host.

Every change holds the disk's lock (`task_id`) while its task runs; storage is taken from the
host with the scheduler's conditional update when the change is accepted and given back by the
task's undo, so a refused or failed change never leaves capacity held.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute import scheduler
from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.hypervisors import require_libvirt
from domain.compute.models import Disk, DiskStatus, Host, HostStatus, Server, ServerStatus
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.quota import services as quota
from domain.scoping import get_for_change, get_visible
from domain.task.models import Task
from domain.task.services import Outbox, create_task
from domain.validation import check_name

DISK_DEADLINE_S = 300
MAX_DISK_GB = 16 * 1024


@dataclass(frozen=True)
class DiskRequest:
    name: str
    size_gb: int
    project_id: uuid.UUID | None = None
    host_id: uuid.UUID | None = None
    server_id: uuid.UUID | None = None  # make it on the host of this server


def check_size(size_gb: int, field: str = "sizeGb") -> int:
    if not 1 <= size_gb <= MAX_DISK_GB:
        raise DomainError(Code.OUT_OF_RANGE, f"{field} must be between 1 and {MAX_DISK_GB}", field)
    return size_gb


def storage(size_gb: int) -> scheduler.Resources:
    return scheduler.Resources(0, 0, size_gb)


def is_boot_disk(disk: Disk) -> bool:
    return disk.path is None and disk.boot_index == 0


def new_task(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    kind: str,
    target: Disk | Server,
    params: dict[str, Any],
    deadline_s: float = DISK_DEADLINE_S,
) -> Task:
    return create_task(
        session,
        outbox,
        kind=kind,
        target_type=type(target).__name__,
        target_id=target.id,
        params=params,
        principal=principal,
        meta=meta,
        project_id=target.project_id,
        domain_id=target.domain_id,
        deadline_s=deadline_s,
    )


async def lock_disk(
    session: AsyncSession, disk: Disk, task: Task, status: DiskStatus, allowed: tuple[str, ...]
) -> None:
    """The disk's lock: one conditional update, so of two requests at once only one wins."""
    locked = await session.execute(
        update(Disk)
        .where(Disk.id == disk.id, Disk.task_id.is_(None), Disk.status.in_(allowed))
        .values(task_id=task.id, status=status.value)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this disk started first", "id")
    await session.refresh(disk)


def check_idle_disk(disk: Disk, *allowed: DiskStatus, field: str = "id") -> None:
    if disk.task_id is not None:
        raise DomainError(Code.BUSY, f"The disk is busy ({disk.status.lower()}); try again when it is done", field)
    if disk.status not in allowed:
        raise DomainError(Code.INVALID_STATE, f"The disk is {disk.status.lower()}", field)


async def _pick_host(session: AsyncSession, size_gb: int) -> uuid.UUID:
    """The online host with the most free storage that still has room once the claim is made."""
    free = Host.storage_gb * Host.storage_ratio - Host.storage_used_gb
    candidates = await session.scalars(
        select(Host.id).where(Host.status == HostStatus.ONLINE, Host.enabled.is_(True)).order_by(free.desc()).limit(8)
    )
    for host_id in candidates:
        if await scheduler.adjust(session, host_id, storage(size_gb)):
            return host_id
    raise DomainError(Code.NO_CAPACITY, f"No host has {size_gb} GiB of storage free", "sizeGb")


async def _place(session: AsyncSession, principal: Principal, req: DiskRequest, project: Project) -> uuid.UUID:
    host_id = req.host_id
    if req.server_id is not None:
        server = await get_visible(session, Server, principal, req.server_id, field="serverId")
        if server.project_id != project.id:
            raise DomainError(Code.NOT_ALLOWED, "The server belongs to another project", "serverId")
        if server.host_id is None:
            raise DomainError(Code.INVALID_STATE, "The server is not placed on a host", "serverId")
        host_id = server.host_id
    elif host_id is not None:
        principal.require("compute.host.update", system=True)  # choosing a host is an admin's call
        if await session.get(Host, host_id) is None:
            raise DomainError(Code.NOT_FOUND, "Host not found", "hostId")
    if host_id is None:
        return await _pick_host(session, req.size_gb)
    if not await scheduler.adjust(session, host_id, storage(req.size_gb)):
        raise DomainError(Code.NO_CAPACITY, f"The host has no {req.size_gb} GiB of storage free", "sizeGb")
    return host_id


async def create_disk(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, req: DiskRequest
) -> tuple[Disk, Task]:
    name = check_name(req.name)
    check_size(req.size_gb)
    project = await get_visible(session, Project, principal, req.project_id or principal.project_id, field="projectId")
    principal.require("compute.disk.create", domain_id=project.domain_id, project_id=project.id)
    await quota.charge(session, project.id, project.domain_id, {"disk_gb": req.size_gb})
    host_id = await _place(session, principal, req, project)
    disk = Disk(
        id=uuid.uuid4(),
        name=name,
        project_id=project.id,
        domain_id=project.domain_id,
        size_gb=req.size_gb,
        boot_index=1,
        host_id=host_id,
        status=DiskStatus.CREATING.value,
    )
    session.add(disk)
    await session.flush()
    task = new_task(session, principal, outbox, meta, "disk.create", disk, {"disk_id": str(disk.id)})
    disk.task_id = task.id
    outbox.changed("Disk", disk.id, disk.status, disk.project_id, disk.domain_id)
    return disk, task


async def delete_disk(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, disk_id: uuid.UUID
) -> tuple[Disk, Task]:
    disk = await get_for_change(session, Disk, principal, disk_id, "delete")
    if disk.server_id is not None:
        raise DomainError(Code.IN_USE, "The disk is attached to a server; detach it first", "id")
    check_idle_disk(disk, DiskStatus.READY, DiskStatus.ERROR)
    # An ERROR disk gave its storage back when its create failed.
    holds = disk.status == DiskStatus.READY.value
    task = new_task(session, principal, outbox, meta, "disk.delete", disk, {"disk_id": str(disk.id), "holds": holds})
    await lock_disk(session, disk, task, DiskStatus.DELETING, (DiskStatus.READY.value, DiskStatus.ERROR.value))
    outbox.changed("Disk", disk.id, disk.status, disk.project_id, disk.domain_id)
    return disk, task


async def resize_disk(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, disk_id: uuid.UUID, size_gb: int
) -> tuple[Disk, Task]:
    disk = await get_for_change(session, Disk, principal, disk_id, "update")
    check_size(size_gb)
    if is_boot_disk(disk):
        raise DomainError(Code.NOT_ALLOWED, "A server's boot disk grows with serverResize (diskGb)", "id")
    check_idle_disk(disk, DiskStatus.READY)
    if size_gb <= disk.size_gb:
        raise DomainError(
            Code.OUT_OF_RANGE, f"Disks only grow: the disk has {disk.size_gb} GiB, ask for more", "sizeGb"
        )
    grow = size_gb - disk.size_gb
    await quota.charge(session, disk.project_id, disk.domain_id, {"disk_gb": grow})
    if disk.host_id is None or not await scheduler.adjust(session, disk.host_id, storage(grow)):
        raise DomainError(Code.NO_CAPACITY, f"The disk's host has no {grow} GiB of storage free", "sizeGb")
    params = {"disk_id": str(disk.id), "size_gb": size_gb, "grow": grow}
    task = new_task(session, principal, outbox, meta, "disk.resize", disk, params)
    await lock_disk(session, disk, task, DiskStatus.RESIZING, (DiskStatus.READY.value,))
    outbox.changed("Disk", disk.id, disk.status, disk.project_id, disk.domain_id)
    return disk, task


async def lock_server(session: AsyncSession, server: Server, task: Task, status: ServerStatus | None = None) -> None:
    """The server's lock without a change of status (a device change keeps it running or stopped)."""
    locked = await session.execute(
        update(Server)
        .where(Server.id == server.id, Server.task_id.is_(None), Server.status == server.status)
        .values(task_id=task.id, status=status or server.status)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this server started first", "id")
    await session.refresh(server)


async def server_for_change(session: AsyncSession, principal: Principal, server_id: uuid.UUID) -> Server:
    server = await get_for_change(session, Server, principal, server_id, "update")
    await require_libvirt(session, server, "Changing disks, NICs or size")
    if server.task_id is not None:
        raise DomainError(
            Code.BUSY, f"The server is busy ({server.status.value.lower()}); try again when it is done", "id"
        )
    if server.status not in (ServerStatus.RUNNING, ServerStatus.STOPPED) or server.host_id is None:
        raise DomainError(Code.INVALID_STATE, f"The server is {server.status.value.lower()}", "id")
    return server
