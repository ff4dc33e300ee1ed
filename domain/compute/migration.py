"""The rules of moving servers between hosts (cold or live) and of draining a host for maintenance.

The target is chosen, and its capacity claimed, in the request's transaction: a host without
room is refused there and then. The source's claim is given back only once the server has
arrived; a failed move gives the target's claim back instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute import scheduler
from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.hypervisors import require_libvirt
from domain.compute.models import Disk, Host, HostStatus, Nic, Server, ServerSnapshot, ServerStatus
from domain.errors import DomainError, NotFound
from domain.identity.access import Principal
from domain.scoping import get_visible
from domain.task.models import Task, TaskStatus
from domain.task.services import Outbox, create_task, finish, now, wait_for

MIGRATE_KIND = "server.migrate"
DRAIN_KIND = "host.drain"
MIGRATE_DEADLINE_S = 1800
# A host whose agent has not reported for this long is not taken back into service at once.
HEARTBEAT_FRESH = timedelta(seconds=60)


@dataclass(frozen=True)
class MigrationRequest:
    server_id: uuid.UUID
    host_id: uuid.UUID | None = None  # the target an administrator names; the scheduler's choice otherwise
    live: bool = False
    deadline_s: float = MIGRATE_DEADLINE_S


@dataclass
class Drain:
    host: Host
    task: Task
    # server id -> why it stays on the host (busy, or no room elsewhere).
    skipped: dict[str, str] = field(default_factory=dict)


def require_migrate(principal: Principal) -> None:
    # Where a server runs is the cloud's business, not its project's: a system-wide grant.
    principal.require("compute.server.migrate", system=True)


async def begin_migration(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    cache: scheduler.HostStateCache,
    req: MigrationRequest,
    parent: Task | None = None,
) -> tuple[Server, Task]:
    """Claim room on the target and lock the server under a `server.migrate` task."""
    require_migrate(principal)
    server = await get_visible(session, Server, principal, req.server_id)
    await require_libvirt(session, server, "Migration")
    _check_movable(server, req.live)
    await _check_attachments(session, server)
    assert server.host_id is not None
    source = server.host_id
    if req.host_id is not None:
        target = await session.get(Host, req.host_id)
        if target is None:
            raise DomainError(Code.NOT_FOUND, "Host not found", "hostId")
        if target.id == source:
            raise DomainError(Code.INVALID, "The server is already on this host", "hostId")
    target_id = await _claim_target(session, cache, server, req.host_id)
    from_status = server.status
    task = create_task(
        session,
        outbox,
        kind=MIGRATE_KIND,
        target_type="Server",
        target_id=server.id,
        params={
            "server_id": str(server.id),
            "from_status": from_status.value,
            "source_host_id": str(source),
            "target_host_id": str(target_id),
            "live": req.live,
        },
        principal=principal,
        meta=meta,
        project_id=server.project_id,
        domain_id=server.domain_id,
        deadline_s=req.deadline_s,
        parent=parent,
    )
    await _lock(session, server, task, from_status)
    outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
    outbox.changed("Host", target_id, "ALLOCATED", None, None)
    return server, task


def _check_movable(server: Server, live: bool) -> None:
    if server.task_id is not None:
        raise DomainError(
            Code.BUSY, f"The server is busy ({server.status.value.lower()}); try again when it is done", "id"
        )
    if live and server.status is not ServerStatus.RUNNING:
        raise DomainError(Code.INVALID_STATE, "Only a running server migrates live; migrate it cold", "id")
    if server.status not in (ServerStatus.RUNNING, ServerStatus.STOPPED) or server.host_id is None:
        raise DomainError(Code.INVALID_STATE, f"Cannot migrate a server that is {server.status.value.lower()}", "id")


async def _check_attachments(session: AsyncSession, server: Server) -> None:
    """What lives on the source host's storage and does not travel with the server's own disks."""
    volumes = select(func.count()).select_from(Disk).where(Disk.server_id == server.id, Disk.path.is_not(None))
    if await session.scalar(volumes):
        # A volume is a file on one host's local storage; it is not copied with the server.
        raise DomainError(Code.INVALID_STATE, "The server has volumes attached; detach them before migrating", "id")
    snapshots = select(func.count()).select_from(ServerSnapshot).where(ServerSnapshot.server_id == server.id)
    if await session.scalar(snapshots):
        # Snapshots live inside the qcow2 disks, and a disk copy keeps only the current state.
        raise DomainError(Code.INVALID_STATE, "The server has snapshots; delete them before migrating", "id")


async def _claim_target(
    session: AsyncSession, cache: scheduler.HostStateCache, server: Server, host_id: uuid.UUID | None
) -> uuid.UUID:
    assert server.host_id is not None
    network_id = await session.scalar(
        select(Nic.network_id).where(Nic.server_id == server.id).order_by(Nic.index).limit(1)
    )
    request = await scheduler.build_request(
        session,
        scheduler.Resources(server.vcpus, server.memory_mb, server.disk_gb),
        project_id=server.project_id,
        host_id=host_id,
        network_id=network_id,
        excluded_host_ids=frozenset({server.host_id}),
    )
    placement = await scheduler.place(session, cache, request)  # PlacementFailed is a payload error
    return placement.host_ids[0]


async def _lock(session: AsyncSession, server: Server, task: Task, from_status: ServerStatus) -> None:
    locked = await session.execute(
        update(Server)
        .where(Server.id == server.id, Server.task_id.is_(None), Server.status == from_status)
        .values(task_id=task.id, status=ServerStatus.MIGRATING)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this server started first", "id")
    await session.refresh(server)


async def enter_maintenance(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    cache: scheduler.HostStateCache,
    host_id: uuid.UUID,
    *,
    live: bool = False,
    deadline_s: float = MIGRATE_DEADLINE_S,
) -> Drain:
    """The host takes no new servers, and a `host.drain` task moves every server off it."""
    principal.require("compute.host.update", system=True)
    require_migrate(principal)
    host = await session.get(Host, host_id, with_for_update=True)
    if host is None:
        raise NotFound("Host")
    host.status = HostStatus.MAINTENANCE
    await session.flush()
    cache.invalidate({host.id})
    outbox.changed("Host", host.id, host.status.value, None, None)
    parent = create_task(
        session,
        outbox,
        kind=DRAIN_KIND,
        target_type="Host",
        target_id=host.id,
        params={"host_id": str(host.id), "live": live},
        principal=principal,
        meta=meta,
        project_id=None,
        domain_id=None,
        deadline_s=deadline_s,
        start=False,
    )
    # Waiting before any child exists, so no child can finish before its parent listens.
    wait_for(parent, outbox, "on_children_done", None, progress=1)
    drain = Drain(host, parent)
    servers = (await session.execute(select(Server).where(Server.host_id == host.id).order_by(Server.id))).scalars()
    started = 0
    for server in list(servers):
        if server.status is ServerStatus.DELETED:
            continue
        req = MigrationRequest(server.id, live=live and server.status is ServerStatus.RUNNING, deadline_s=deadline_s)
        try:
            async with session.begin_nested():
                await begin_migration(session, principal, outbox, meta, cache, req, parent=parent)
            started += 1
        except DomainError as exc:
            drain.skipped[str(server.id)] = exc.message
    parent.params = {**parent.params, "skipped": drain.skipped}
    if started == 0:
        status = TaskStatus.FAILED if drain.skipped else TaskStatus.SUCCEEDED
        error = f"{len(drain.skipped)} servers could not be moved" if drain.skipped else None
        finish(parent, outbox, status, result={"migrated": 0, "skipped": drain.skipped}, error=error)
    return drain


async def exit_maintenance(
    session: AsyncSession, principal: Principal, cache: scheduler.HostStateCache, host_id: uuid.UUID
) -> Host:
    principal.require("compute.host.update", system=True)
    host = await session.get(Host, host_id, with_for_update=True)
    if host is None:
        raise NotFound("Host")
    if host.status is not HostStatus.MAINTENANCE:
        raise DomainError(Code.INVALID_STATE, "The host is not in maintenance", "id")
    fresh = host.last_heartbeat is not None and host.last_heartbeat > now() - HEARTBEAT_FRESH
    # A silent host comes back as OFFLINE; its next heartbeat makes it ONLINE.
    host.status = HostStatus.ONLINE if fresh else HostStatus.OFFLINE
    await session.flush()
    cache.invalidate({host.id})
    return host
