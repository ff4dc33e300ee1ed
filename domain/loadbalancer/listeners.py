"""Listeners and their rules: what a load balancer accepts on which port, and where it sends it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.loadbalancer import changes, checks
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.models import (
    PARTS,
    LbAcl,
    LbBackendGroup,
    LbCertificate,
    LbListener,
    LbListenerRule,
    ListenerProtocol,
    Loadbalancer,
    RowState,
    Scheduler,
)
from domain.scoping import get_visible
from domain.task.models import Task
from domain.task.services import Outbox
from domain.validation import check_name

ANY_ADDRESS = "0.0.0.0"

# Fields a listener update may change; values absent from an update keep what the row has.
UPDATABLE = (
    "name",
    "port",
    "scheduler",
    "backend_group_id",
    "certificate_id",
    "sticky_cookie",
    "connect_timeout_ms",
    "client_timeout_ms",
    "server_timeout_ms",
    "x_forwarded_for",
    "redirect_https",
    "acl_id",
    "acl_type",
)
TIMEOUT_MAX_MS = 3_600_000


async def group_in(session: AsyncSession, lb: Loadbalancer, group_id: uuid.UUID, field: str) -> LbBackendGroup:
    """A live backend group of this load balancer (another's looks missing)."""
    group = await session.get(LbBackendGroup, group_id)
    if group is None or group.loadbalancer_id != lb.id or group.state is RowState.DELETING:
        raise DomainError(Code.NOT_FOUND, "Backend group not found in this load balancer", field)
    return group


async def _owned(
    session: AsyncSession, principal: Principal, model: Any, obj_id: uuid.UUID, lb: Loadbalancer, field: str
) -> Any:
    row = await get_visible(session, model, principal, obj_id, field=field)
    if row.project_id != lb.project_id:
        raise InvalidInput(field, "It belongs to another project", Code.NOT_ALLOWED)
    return row


async def _port_free(session: AsyncSession, lb: Loadbalancer, port: int, listener_id: uuid.UUID | None) -> None:
    """Two listeners of a cluster may not bind the same address and port."""
    stmt = (
        select(LbListener.id)
        .join(Loadbalancer, Loadbalancer.id == LbListener.loadbalancer_id)
        .where(Loadbalancer.cluster_id == lb.cluster_id, LbListener.port == port)
    )
    if lb.vip != ANY_ADDRESS:  # the any-address clashes with every address
        stmt = stmt.where(or_(Loadbalancer.vip == lb.vip, Loadbalancer.vip == ANY_ADDRESS))
    if listener_id is not None:
        stmt = stmt.where(LbListener.id != listener_id)
    if await session.scalar(stmt.limit(1)) is not None:
        raise DomainError(Code.DUPLICATE, f"Port {port} is already in use on {lb.vip} in this cluster", "port")


async def _check(
    session: AsyncSession, principal: Principal, lb: Loadbalancer, v: dict[str, Any], listener_id: uuid.UUID | None
) -> None:
    """Check the listener as it would be after the change, as a whole."""
    v["name"] = check_name(v["name"])
    checks.port(v["port"])
    protocol = v["protocol"]
    http = protocol in (ListenerProtocol.HTTP, ListenerProtocol.HTTPS)
    for name in ("connect_timeout_ms", "client_timeout_ms", "server_timeout_ms"):
        checks.in_range(_camel(name), v[name], 100, TIMEOUT_MAX_MS)
    if protocol is ListenerProtocol.HTTPS and v["certificate_id"] is None:
        raise InvalidInput("certificateId", "An HTTPS listener needs a certificate", Code.REQUIRED)
    if protocol is not ListenerProtocol.HTTPS and v["certificate_id"] is not None:
        raise InvalidInput("certificateId", "Only HTTPS listeners terminate TLS", Code.NOT_ALLOWED)
    if v["sticky_cookie"] is not None:
        if not http:
            raise InvalidInput("stickyCookie", "Sticky cookies need an HTTP or HTTPS listener", Code.NOT_ALLOWED)
        checks.cookie(v["sticky_cookie"])
    if v["x_forwarded_for"] and not http:
        raise InvalidInput("xForwardedFor", "X-Forwarded-For needs an HTTP or HTTPS listener", Code.NOT_ALLOWED)
    if v["redirect_https"] and protocol is not ListenerProtocol.HTTP:
        raise InvalidInput("redirectHttps", "Only HTTP listeners redirect to HTTPS", Code.NOT_ALLOWED)
    if (v["acl_id"] is None) != (v["acl_type"] is None):
        raise InvalidInput("aclType", "Give an ACL and whether it allows or denies, or neither", Code.REQUIRED)
    if v["backend_group_id"] is not None:
        await group_in(session, lb, v["backend_group_id"], "backendGroupId")
    if v["certificate_id"] is not None:
        await _owned(session, principal, LbCertificate, v["certificate_id"], lb, "certificateId")
    if v["acl_id"] is not None:
        await _owned(session, principal, LbAcl, v["acl_id"], lb, "aclId")
    await _port_free(session, lb, v["port"], listener_id)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def listener_defaults() -> dict[str, Any]:
    return {
        "scheduler": Scheduler.ROUND_ROBIN,
        "backend_group_id": None,
        "certificate_id": None,
        "sticky_cookie": None,
        "connect_timeout_ms": 5000,
        "client_timeout_ms": 50000,
        "server_timeout_ms": 50000,
        "x_forwarded_for": False,
        "redirect_https": False,
        "acl_id": None,
        "acl_type": None,
    }


async def create_listener(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    lb_id: uuid.UUID,
    values: dict[str, Any],
) -> tuple[LbListener, Task]:
    lb = await changes.changeable(session, principal, lb_id)
    v = {**listener_defaults(), **{k: val for k, val in values.items() if val is not None}}
    await _check(session, principal, lb, v, None)
    listener = LbListener(
        id=uuid.uuid4(),
        loadbalancer_id=lb.id,
        project_id=lb.project_id,
        domain_id=lb.domain_id,
        state=RowState.CREATING,
        **v,
    )
    session.add(listener)
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, changes.created("listener", listener.id))
    return listener, task


async def part_for_change(
    session: AsyncSession, principal: Principal, model: Any, obj_id: uuid.UUID, field: str = "id"
) -> tuple[Any, Loadbalancer]:
    """A row inside a load balancer, and the load balancer, idle and changeable by the caller."""
    row = await get_visible(session, model, principal, obj_id, field=field)
    if row.state is RowState.DELETING:
        raise DomainError(Code.INVALID_STATE, "It is being deleted", field)
    lb = await changes.changeable(session, principal, row.loadbalancer_id, field=field)
    return row, lb


async def update_listener(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    listener_id: uuid.UUID,
    values: dict[str, Any],
) -> tuple[LbListener, Task]:
    """Change a listener; `values` holds only the fields to change (None clears optional ones)."""
    listener, lb = await part_for_change(session, principal, LbListener, listener_id)
    unknown = set(values) - set(UPDATABLE)
    assert not unknown, unknown
    current = {name: getattr(listener, name) for name in UPDATABLE}
    merged = {**current, "protocol": listener.protocol, **values}
    if merged["acl_id"] is None:
        merged["acl_type"] = None
    await _check(session, principal, lb, merged, listener.id)
    change = changes.updated("listener", listener, list(UPDATABLE))
    for name in UPDATABLE:
        setattr(listener, name, merged[name])
    listener.state = RowState.UPDATING
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, change)
    return listener, task


async def delete_part(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, part: str, obj_id: uuid.UUID
) -> tuple[uuid.UUID, Task]:
    """Delete a listener, rule, backend group or backend: gone from the rendering now, from the
    database when the agents serve the configuration without it."""
    model = PARTS[part]
    row, lb = await part_for_change(session, principal, model, obj_id)
    if model is LbBackendGroup:
        used = await session.scalar(
            select(LbListener.id).where(LbListener.backend_group_id == row.id).limit(1)
        ) or await session.scalar(select(LbListenerRule.id).where(LbListenerRule.backend_group_id == row.id).limit(1))
        if used is not None:
            raise DomainError(Code.IN_USE, "A listener or rule still sends traffic to this group", "id")
    row.state = RowState.DELETING
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, changes.deleted(part, row.id))
    return row.id, task


async def create_rule(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    listener_id: uuid.UUID,
    *,
    host: str | None,
    path: str | None,
    backend_group_id: uuid.UUID,
) -> tuple[LbListenerRule, Task]:
    listener, lb = await part_for_change(session, principal, LbListener, listener_id, field="listenerId")
    if listener.protocol is ListenerProtocol.TCP:
        raise InvalidInput("listenerId", "Rules route HTTP requests: the listener is TCP", Code.NOT_ALLOWED)
    if not host and not path:
        raise InvalidInput("host", "A rule matches a host, a path or both", Code.REQUIRED)
    host = checks.hostname(host) if host else None
    path = checks.path(path) if path else None
    await group_in(session, lb, backend_group_id, "backendGroupId")
    rule = LbListenerRule(
        id=uuid.uuid4(),
        listener_id=listener.id,
        loadbalancer_id=lb.id,
        project_id=lb.project_id,
        domain_id=lb.domain_id,
        state=RowState.CREATING,
        host=host,
        path=path,
        backend_group_id=backend_group_id,
    )
    session.add(rule)
    await session.flush()
    task = await changes.start_sync(session, principal, outbox, meta, lb, changes.created("listener_rule", rule.id))
    return rule, task
