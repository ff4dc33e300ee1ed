"""Backend groups (with their health check) and the backends in them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute.models import Nic, Server, ServerStatus
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.loadbalancer import changes, checks
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.listeners import group_in, part_for_change
from domain.loadbalancer.models import HealthCheckType, LbBackend, LbBackendGroup, RowState
from domain.scoping import get_visible
from domain.task.models import Task
from domain.task.services import Outbox
from domain.validation import check_name

CHECK_FIELDS = ("check_type", "check_path", "check_expected_codes", "check_interval_ms", "check_rise", "check_fall")
BACKEND_FIELDS = ("port", "weight", "backup")
MAX_WEIGHT = 256  # haproxy's limit


def _check_health(v: dict[str, Any]) -> None:
    checks.in_range("checkIntervalMs", v["check_interval_ms"], 100, 3_600_000)
    checks.in_range("checkRise", v["check_rise"], 1, 100)
    checks.in_range("checkFall", v["check_fall"], 1, 100)
    v["check_path"] = checks.path(v["check_path"], "checkPath")
    v["check_expected_codes"] = checks.status_codes(v["check_expected_codes"])


def health_defaults() -> dict[str, Any]:
    return {
        "check_type": HealthCheckType.TCP,
        "check_path": "/",
        "check_expected_codes": [],
        "check_interval_ms": 2000,
        "check_rise": 2,
        "check_fall": 3,
    }


async def create_group(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    lb_id: uuid.UUID,
    name: str,
    health: dict[str, Any],
) -> tuple[LbBackendGroup, Task]:
    lb = await changes.changeable(session, principal, lb_id)
    name = check_name(name)
    v = {**health_defaults(), **{k: val for k, val in health.items() if val is not None}}
    _check_health(v)
    taken = await session.scalar(
        select(LbBackendGroup.id).where(LbBackendGroup.loadbalancer_id == lb.id, LbBackendGroup.name == name)
    )
    if taken is not None:
        raise DomainError(Code.DUPLICATE, f"A backend group named {name} exists in this load balancer", "name")
    group = LbBackendGroup(
        id=uuid.uuid4(),
        loadbalancer_id=lb.id,
        project_id=lb.project_id,
        domain_id=lb.domain_id,
        name=name,
        state=RowState.CREATING,
        **v,
    )
    session.add(group)
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, changes.created("backend_group", group.id))
    return group, task


async def update_group(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    group_id: uuid.UUID,
    health: dict[str, Any],
) -> tuple[LbBackendGroup, Task]:
    group, lb = await part_for_change(session, principal, LbBackendGroup, group_id)
    merged = {**{f: getattr(group, f) for f in CHECK_FIELDS}, **{k: v for k, v in health.items() if v is not None}}
    _check_health(merged)
    change = changes.updated("backend_group", group, list(CHECK_FIELDS))
    for name in CHECK_FIELDS:
        setattr(group, name, merged[name])
    group.state = RowState.UPDATING
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, change)
    return group, task


async def _server_address(
    session: AsyncSession, principal: Principal, server_id: uuid.UUID, project_id: uuid.UUID
) -> str:
    server = await get_visible(session, Server, principal, server_id, field="serverId")
    if server.project_id != project_id:
        raise InvalidInput("serverId", "The server belongs to another project", Code.NOT_ALLOWED)
    if server.status in (ServerStatus.DELETING, ServerStatus.DELETED):
        raise DomainError(Code.INVALID_STATE, "The server is being deleted", "serverId")
    ip = await session.scalar(
        select(Nic.ip_address)
        .where(Nic.server_id == server.id, Nic.ip_address.is_not(None))
        .order_by(Nic.index)
        .limit(1)
    )
    if ip is None:
        raise InvalidInput("serverId", "The server has no address on a network", Code.INVALID_STATE)
    return str(ip)


async def create_backend(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    group_id: uuid.UUID,
    *,
    server_id: uuid.UUID | None,
    address: str | None,
    port: int,
    weight: int = 1,
    backup: bool = False,
) -> tuple[LbBackend, Task]:
    group_row = await get_visible(session, LbBackendGroup, principal, group_id, field="backendGroupId")
    lb = await changes.changeable(session, principal, group_row.loadbalancer_id, field="backendGroupId")
    group = await group_in(session, lb, group_row.id, "backendGroupId")
    if (server_id is None) == (address is None):
        raise InvalidInput("serverId", "Give either a server or an address", Code.REQUIRED)
    checks.port(port)
    checks.in_range("weight", weight, 0, MAX_WEIGHT)
    if server_id is not None:
        resolved = await _server_address(session, principal, server_id, lb.project_id)
    else:
        assert address is not None
        resolved = checks.host_or_address(address)
    backend = LbBackend(
        id=uuid.uuid4(),
        backend_group_id=group.id,
        loadbalancer_id=lb.id,
        project_id=lb.project_id,
        domain_id=lb.domain_id,
        state=RowState.CREATING,
        server_id=server_id,
        address=resolved,
        port=port,
        weight=weight,
        backup=backup,
    )
    session.add(backend)
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, changes.created("backend", backend.id))
    return backend, task


async def update_backend(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    backend_id: uuid.UUID,
    values: dict[str, Any],
) -> tuple[LbBackend, Task]:
    backend, lb = await part_for_change(session, principal, LbBackend, backend_id)
    merged = {**{f: getattr(backend, f) for f in BACKEND_FIELDS}, **{k: v for k, v in values.items() if v is not None}}
    checks.port(merged["port"])
    checks.in_range("weight", merged["weight"], 0, MAX_WEIGHT)
    change = changes.updated("backend", backend, list(BACKEND_FIELDS))
    for name in BACKEND_FIELDS:
        setattr(backend, name, merged[name])
    backend.state = RowState.UPDATING
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, change)
    return backend, task
