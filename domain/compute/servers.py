"""The rules of servers: creating them (one task, or a parent with a child per server) and
starting the lifecycle actions, each guarded by the server's lock."""

from __future__ import annotations

import dataclasses
import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.cloud import servers as cloud_servers
from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.hotplug import hotplug_maxima
from domain.compute.models import Host, Network, Server, ServerStatus
from domain.compute.scheduler.hints import check_hints
from domain.compute.scheduler.request import PlacementHints
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.image.services import check_boot, usable_image
from domain.quota import services as quota
from domain.quota.demand import server_demand
from domain.scoping import get_for_change, get_visible
from domain.task.models import Task
from domain.task.services import Outbox, create_task
from domain.validation import check_name

CREATE_DEADLINE_S = 600
ACTION_DEADLINE_S = 300
MAX_BATCH = 100

# action -> (statuses it may start from, status while it runs)
ACTIONS: dict[str, tuple[tuple[ServerStatus, ...], ServerStatus]] = {
    "start": ((ServerStatus.STOPPED,), ServerStatus.STARTING),
    "stop": ((ServerStatus.RUNNING,), ServerStatus.STOPPING),
    "reboot": ((ServerStatus.RUNNING,), ServerStatus.REBOOTING),
    "delete": ((ServerStatus.RUNNING, ServerStatus.STOPPED, ServerStatus.ERROR), ServerStatus.DELETING),
}


@dataclass(frozen=True)
class ServerRequest:
    name: str
    project_id: uuid.UUID | None
    vcpus: int
    memory_mb: int
    disk_gb: int
    image_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    count: int = 1
    host_id: uuid.UUID | None = None
    deadline_s: float = CREATE_DEADLINE_S
    placement: PlacementHints = dataclasses.field(default_factory=PlacementHints)
    # Public clouds: the instance type and the provider's image id (an AMI on AWS).
    sku: str | None = None
    cloud_image: str | None = None


def _check_sizes(req: ServerRequest) -> None:
    for field, value, low, high in (
        ("vcpus", req.vcpus, 1, 128),
        ("memoryMb", req.memory_mb, 64, 1024 * 1024),
        ("diskGb", req.disk_gb, 1, 16 * 1024),
        ("count", req.count, 1, MAX_BATCH),
    ):
        if not low <= value <= high:
            raise DomainError(Code.OUT_OF_RANGE, f"{field} must be between {low} and {high}", field)


def _names(base: str, count: int) -> list[str]:
    return [base] if count == 1 else [f"{base}-{i + 1}" for i in range(count)]


async def _project(session: AsyncSession, principal: Principal, project_id: uuid.UUID | None) -> Project:
    project = await get_visible(session, Project, principal, project_id or principal.project_id, field="projectId")
    principal.require("compute.server.create", domain_id=project.domain_id, project_id=project.id)
    return project


async def _network(session: AsyncSession, principal: Principal, project: Project, network_id: uuid.UUID) -> Network:
    network = await get_visible(session, Network, principal, network_id, field="networkId")
    if network.project_id not in (None, project.id):
        raise InvalidInput("networkId", "The network belongs to another project", Code.NOT_ALLOWED)
    return network


async def check_request(
    session: AsyncSession, principal: Principal, req: ServerRequest
) -> tuple[Project, Network | None]:
    """Everything a create checks before it starts; the scheduler's forecast checks the same."""
    check_name(req.name)
    _check_sizes(req)
    project = await _project(session, principal, req.project_id)
    await quota.charge(
        session,
        project.id,
        project.domain_id,
        server_demand(req.count, req.vcpus, req.memory_mb, req.disk_gb, req.network_id is not None),
    )
    network = await _network(session, principal, project, req.network_id) if req.network_id else None
    if req.image_id is not None:
        check_boot(await usable_image(session, principal, req.image_id), req.disk_gb, req.memory_mb)
    if req.host_id is not None:
        principal.require("compute.host.update", system=True)  # pinning a host is an admin's call
        if await session.get(Host, req.host_id) is None:
            raise DomainError(Code.NOT_FOUND, "Host not found", "hostId")
    await check_hints(session, principal, project.id, req.placement)
    return project, network


async def create_servers(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, req: ServerRequest
) -> tuple[list[Server], Task]:
    name = check_name(req.name)
    project, network = await check_request(session, principal, req)
    if await cloud_servers.wants_cloud(session, req, project):
        return await cloud_servers.create_cloud_servers(
            session, principal, outbox, meta, dataclasses.replace(req, name=name), project
        )
    servers = [
        Server(
            id=uuid.uuid4(),
            name=n,
            project_id=project.id,
            domain_id=project.domain_id,
            status=ServerStatus.PENDING,
            vcpus=req.vcpus,
            memory_mb=req.memory_mb,
            disk_gb=req.disk_gb,
            image_id=req.image_id,
            server_group_id=req.placement.server_group_id,
            extra=hotplug_maxima(req.vcpus, req.memory_mb),
        )
        for n in _names(name, req.count)
    ]
    session.add_all(servers)
    scope: dict[str, Any] = {
        "principal": principal,
        "meta": meta,
        "project_id": project.id,
        "domain_id": project.domain_id,
    }
    params = {
        "network_id": str(network.id) if network else None,
        "host_id": str(req.host_id) if req.host_id else None,
        "cancel": "any",
        "placement": req.placement.to_params(),
    }
    parent = None
    if len(servers) > 1:
        # The parent places the whole batch in one decision, then starts the children.
        parent = create_task(
            session,
            outbox,
            kind="server.batch_create",
            target_type="Project",
            target_id=project.id,
            params={**params, "count": len(servers)},
            deadline_s=req.deadline_s,
            **scope,
        )
    children = []
    for server in servers:
        task = create_task(
            session,
            outbox,
            kind="server.create",
            target_type="Server",
            target_id=server.id,
            params={**params, "server_id": str(server.id)},
            deadline_s=req.deadline_s,
            parent=parent,
            start=parent is None,
            **scope,
        )
        server.task_id = task.id
        children.append(task)
    await session.flush()
    for server in servers:
        outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
    return servers, parent or children[0]


async def begin_action(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    server_id: uuid.UUID,
    action: str,
    options: dict[str, Any] | None = None,
    deadline_s: float = ACTION_DEADLINE_S,
) -> tuple[Server, Task]:
    """Start `action` on a server: refused unless the server is idle and in a state that allows it."""
    server = await get_for_change(session, Server, principal, server_id, action)
    allowed, running = ACTIONS[action]
    if server.task_id is not None:
        raise DomainError(
            Code.BUSY, f"The server is busy ({server.status.value.lower()}); try again when it is done", "id"
        )
    if server.status not in allowed:
        raise DomainError(Code.INVALID_STATE, f"Cannot {action} a server that is {server.status.value.lower()}", "id")
    task = create_task(
        session,
        outbox,
        kind=cloud_servers.action_kind(server, action),
        target_type="Server",
        target_id=server.id,
        params={"server_id": str(server.id), "from_status": server.status.value, **(options or {})},
        principal=principal,
        meta=meta,
        project_id=server.project_id,
        domain_id=server.domain_id,
        deadline_s=deadline_s,
    )
    # The lock: only one request wins this conditional update, however many arrive at once.
    locked = await session.execute(
        update(Server)
        .where(Server.id == server.id, Server.task_id.is_(None), Server.status.in_(allowed))
        .values(task_id=task.id, status=running)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this server started first", "id")
    await session.refresh(server)
    outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
    return server, task


def random_mac() -> str:
    # 52:54:00 is QEMU's locally administered prefix.
    return "52:54:00:" + ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))
