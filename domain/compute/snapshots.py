"""The rules of server snapshots, rebuilds and screenshots: what may start, and the task each starts.

These operations keep the server's status (it stays RUNNING or STOPPED while they run); the server
is held by its task lock, so no other operation starts on it meanwhile.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.hypervisors import require_libvirt
from domain.compute.models import Disk, Server, ServerSnapshot, ServerStatus, SnapshotStatus
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.image.models import DiskFormat, Image
from domain.image.quota import ImageLimits
from domain.image.services import ImageProperties, check_boot, create_image, usable_image
from domain.scoping import get_for_change
from domain.task.models import Task
from domain.task.services import Outbox, create_task
from domain.validation import check_name

SNAPSHOT_DEADLINE_S = 600
SCREENSHOT_DEADLINE_S = 60
MAX_SNAPSHOTS_PER_SERVER = 32
IDLE = (ServerStatus.RUNNING, ServerStatus.STOPPED)


async def begin_snapshot_create(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    name: str,
    quiesce: bool,
    deadline_s: float = SNAPSHOT_DEADLINE_S,
) -> tuple[ServerSnapshot, Task]:
    name = check_name(name)
    server = await _idle_server(session, principal, server_id, "snapshot", "serverId")
    count = await session.scalar(select(func.count()).where(ServerSnapshot.server_id == server.id))
    if (count or 0) >= MAX_SNAPSHOTS_PER_SERVER:
        raise DomainError(Code.OUT_OF_RANGE, f"A server keeps at most {MAX_SNAPSHOTS_PER_SERVER} snapshots", "serverId")
    snapshot = ServerSnapshot(
        id=uuid.uuid4(),
        server_id=server.id,
        project_id=server.project_id,
        domain_id=server.domain_id,
        name=name,
        status=SnapshotStatus.CREATING,
        includes_memory=server.status is ServerStatus.RUNNING,
        quiesced=quiesce and server.status is ServerStatus.RUNNING,
    )
    session.add(snapshot)
    params = {"snapshot_id": str(snapshot.id), "quiesce": quiesce}
    task = await _start(session, principal, outbox, meta, server, "server.snapshot_create", params, deadline_s)
    snapshot.task_id = task.id
    return snapshot, task


async def begin_snapshot_revert(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, snapshot_id: uuid.UUID
) -> tuple[ServerSnapshot, Task]:
    return await _snapshot_task(session, principal, outbox, meta, snapshot_id, "revert", SnapshotStatus.REVERTING)


async def begin_snapshot_delete(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, snapshot_id: uuid.UUID
) -> tuple[ServerSnapshot, Task]:
    return await _snapshot_task(session, principal, outbox, meta, snapshot_id, "delete", SnapshotStatus.DELETING)


async def begin_rebuild(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    image_id: uuid.UUID,
) -> tuple[Server, Task]:
    """A fresh root disk from `image_id`: same server, same addresses; its snapshots are dropped."""
    server = await _idle_server(session, principal, server_id, "rebuild", "id")
    image = await usable_image(session, principal, image_id)
    check_boot(image, server.disk_gb, server.memory_mb)
    root = await _root_disk(session, server)
    params = {"image_id": str(image.id), "disk_id": str(root.id)}
    task = await _start(session, principal, outbox, meta, server, "server.rebuild", params)
    return server, task


async def begin_save_image(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    limits: ImageLimits,
    server_id: uuid.UUID,
    name: str,
) -> tuple[Image, Task]:
    """A new QCOW2 image in the server's project, filled from its root disk by the host."""
    server = await _idle_server(session, principal, server_id, "snapshot", "serverId")
    root = await _root_disk(session, server)
    image = await create_image(
        session,
        principal,
        limits,
        disk_format=DiskFormat.QCOW2,
        project_id=server.project_id,
        props=ImageProperties(name=name, min_disk_gb=root.size_gb),
    )
    params = {"image_id": str(image.id), "disk_id": str(root.id)}
    task = await _start(session, principal, outbox, meta, server, "server.save_image", params)
    return image, task


async def _root_disk(session: AsyncSession, server: Server) -> Disk:
    root = await session.scalar(
        select(Disk).where(Disk.server_id == server.id).order_by(Disk.boot_index, Disk.created_at).limit(1)
    )
    if root is None:
        raise DomainError(Code.INVALID_STATE, "The server has no root disk", "id")
    return root


async def begin_screenshot(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, server_id: uuid.UUID
) -> tuple[Server, Task]:
    """Capture the screen; it changes nothing on the server, so it needs no lock."""
    server = await get_for_change(session, Server, principal, server_id, "screenshot")
    await require_libvirt(session, server, "A screenshot")
    if server.status is not ServerStatus.RUNNING or server.host_id is None:
        raise DomainError(Code.INVALID_STATE, f"Only a running server has a screen; this one is {_state(server)}", "id")
    task = create_task(
        session,
        outbox,
        kind="server.screenshot",
        target_type="Server",
        target_id=server.id,
        params={"server_id": str(server.id)},
        principal=principal,
        meta=meta,
        project_id=server.project_id,
        domain_id=server.domain_id,
        deadline_s=SCREENSHOT_DEADLINE_S,
    )
    return server, task


async def _snapshot_task(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    snapshot_id: uuid.UUID,
    verb: str,
    running: SnapshotStatus,
) -> tuple[ServerSnapshot, Task]:
    snapshot = await get_for_change(session, ServerSnapshot, principal, snapshot_id, "snapshot")
    if snapshot.status is not SnapshotStatus.READY and not (
        verb == "delete" and snapshot.status is SnapshotStatus.ERROR
    ):
        raise DomainError(Code.INVALID_STATE, f"Cannot {verb} a snapshot that is {snapshot.status.value.lower()}", "id")
    server = await _idle_server(session, principal, snapshot.server_id, "snapshot", "id")
    task = await _start(
        session, principal, outbox, meta, server, f"server.snapshot_{verb}", {"snapshot_id": str(snapshot.id)}
    )
    snapshot.status = running
    snapshot.task_id = task.id
    snapshot.error = None
    return snapshot, task


async def _idle_server(
    session: AsyncSession, principal: Principal, server_id: uuid.UUID, action: str, field: str
) -> Server:
    server = await get_for_change(session, Server, principal, server_id, action, field=field)
    await require_libvirt(session, server, f"{action.capitalize()}")
    if server.task_id is not None:
        raise DomainError(Code.BUSY, f"The server is busy ({_state(server)}); try again when it is done", field)
    if server.status not in IDLE or server.host_id is None:
        raise DomainError(Code.INVALID_STATE, f"Cannot {action} a server that is {_state(server)}", field)
    return server


async def _start(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server: Server,
    kind: str,
    params: dict[str, Any],
    deadline_s: float = SNAPSHOT_DEADLINE_S,
) -> Task:
    task = create_task(
        session,
        outbox,
        kind=kind,
        target_type="Server",
        target_id=server.id,
        params={"server_id": str(server.id), "from_status": server.status.value, **params},
        principal=principal,
        meta=meta,
        project_id=server.project_id,
        domain_id=server.domain_id,
        deadline_s=deadline_s,
    )
    # The lock: one conditional update, so of two requests arriving together only one proceeds.
    locked = await session.execute(
        update(Server)
        .where(Server.id == server.id, Server.task_id.is_(None), Server.status == server.status)
        .values(task_id=task.id)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this server started first", "id")
    await session.refresh(server)
    return task


def _state(server: Server) -> str:
    return server.status.value.lower()
