"""Operations only VMware servers have: reconfigure CPU/memory, snapshots, and clone-create."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import Server, ServerStatus
from domain.compute.servers import ACTION_DEADLINE_S, CREATE_DEADLINE_S, ServerRequest, _check_sizes, _project
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.quota import services as quota
from domain.quota.demand import server_demand
from domain.scoping import get_for_change, get_visible
from domain.task.models import Task
from domain.task.services import Outbox, create_task
from domain.validation import check_name
from domain.vmware.inventory import vm_ref

SNAPSHOT_OPS = ("create", "revert", "delete")
IDLE = (ServerStatus.RUNNING, ServerStatus.STOPPED)


async def _vmware_server(session: AsyncSession, principal: Principal, server_id: uuid.UUID, action: str) -> Server:
    server = await get_for_change(session, Server, principal, server_id, action)
    if await vm_ref(session, server.id) is None:
        raise DomainError(Code.NOT_ALLOWED, "Only VMware servers support this operation", "id")
    return server


async def begin_vm_action(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
) -> tuple[Server, Task]:
    """Start a task that changes the VM but not the server's power state; the server is locked."""
    server = await _vmware_server(session, principal, server_id, "update")
    if server.task_id is not None or server.status not in IDLE:
        raise DomainError(Code.BUSY, f"The server is busy ({server.status.value.lower()})", "id")
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
        deadline_s=ACTION_DEADLINE_S,
    )
    locked = await session.execute(
        update(Server)
        .where(Server.id == server.id, Server.task_id.is_(None), Server.status.in_(IDLE))
        .values(task_id=task.id)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this server started first", "id")
    await session.refresh(server)
    return server, task


async def reconfigure(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    vcpus: int,
    memory_mb: int,
) -> tuple[Server, Task]:
    _check_sizes(ServerRequest(name="x", project_id=None, vcpus=vcpus, memory_mb=memory_mb, disk_gb=1))
    server = await get_visible(session, Server, principal, server_id)
    # Only growth is charged; the servers count does not change.
    extra = {
        **server_demand(1, max(0, vcpus - server.vcpus), max(0, memory_mb - server.memory_mb), 0, False),
        "servers": 0,
    }
    await quota.charge(session, server.project_id, server.domain_id, extra)
    params = {"vcpus": vcpus, "memory_mb": memory_mb}
    return await begin_vm_action(session, principal, outbox, meta, server_id, "server.reconfigure", params)


async def snapshot(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    op: str,
    name: str,
) -> tuple[Server, Task]:
    if op not in SNAPSHOT_OPS:
        raise InvalidInput("operation", f"Use one of {', '.join(SNAPSHOT_OPS)}")
    name = check_name(name)
    params = {"op": op, "name": name}
    return await begin_vm_action(session, principal, outbox, meta, server_id, "server.snapshot", params)


async def clone(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    source_id: uuid.UUID,
    name: str,
    project_id: uuid.UUID | None,
) -> tuple[Server, Task]:
    """A new server of the caller's project (or `project_id`), a copy of a VMware server's VM."""
    name = check_name(name)
    source = await get_visible(session, Server, principal, source_id, field="sourceId")
    if await vm_ref(session, source.id) is None or source.host_id is None:
        raise DomainError(Code.NOT_ALLOWED, "Only VMware servers can be cloned", "sourceId")

    project = await _project(session, principal, project_id or source.project_id)
    demand = server_demand(1, source.vcpus, source.memory_mb, source.disk_gb, False)
    await quota.charge(session, project.id, project.domain_id, demand)
    server = Server(
        id=uuid.uuid4(),
        name=name,
        project_id=project.id,
        domain_id=project.domain_id,
        status=ServerStatus.PENDING,
        vcpus=source.vcpus,
        memory_mb=source.memory_mb,
        disk_gb=source.disk_gb,
        extra={},
    )
    session.add(server)
    await session.flush()
    task = create_task(
        session,
        outbox,
        kind="server.clone",
        target_type="Server",
        target_id=server.id,
        params={"server_id": str(server.id), "source_id": str(source.id)},
        principal=principal,
        meta=meta,
        project_id=project.id,
        domain_id=project.domain_id,
        deadline_s=CREATE_DEADLINE_S,
    )
    server.task_id = task.id
    outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
    return server, task
