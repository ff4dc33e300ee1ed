"""Every configuration change is a `loadbalancer.sync` task holding the load balancer's lock.

The change is written at once (rows CREATING, UPDATING or DELETING) and described in the task's
params; the task renders the cluster's configuration and waits for its agents. When they serve
it, `commit` settles the rows; when one refuses it, `undo` puts them back as they were, which
is what the agents still serve.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import Enum as SaEnum
from sqlalchemy import Uuid, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute.models import IpAllocation
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.models import (
    PARTS,
    LbBackend,
    LbBackendGroup,
    LbListener,
    LbListenerRule,
    Loadbalancer,
    LoadbalancerStatus,
    RowState,
)
from domain.scoping import get_for_change
from domain.task.models import Task
from domain.task.services import Outbox, create_task

SYNC_KIND = "loadbalancer.sync"
SYNC_DEADLINE_S = 120


async def changeable(
    session: AsyncSession, principal: Principal, lb_id: uuid.UUID, field: str = "loadbalancerId"
) -> Loadbalancer:
    lb = await get_for_change(session, Loadbalancer, principal, lb_id, "update", field=field)
    _check_idle(lb, field)
    return lb


def _check_idle(lb: Loadbalancer, field: str) -> None:
    if lb.task_id is not None:
        raise DomainError(
            Code.BUSY, f"The load balancer is busy ({lb.status.value.lower()}); try again when it is done", field
        )
    if lb.status is not LoadbalancerStatus.ACTIVE:
        raise DomainError(Code.INVALID_STATE, f"The load balancer is {lb.status.value.lower()}", field)


async def start_sync(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    lb: Loadbalancer,
    change: dict[str, Any],
    *,
    status: LoadbalancerStatus = LoadbalancerStatus.UPDATING,
    deadline_s: float = SYNC_DEADLINE_S,
) -> Task:
    """Lock the load balancer for `change` and start the task that deploys it."""
    task = create_task(
        session,
        outbox,
        kind=SYNC_KIND,
        target_type="Loadbalancer",
        target_id=lb.id,
        params={"loadbalancer_id": str(lb.id), "change": change},
        principal=principal,
        meta=meta,
        project_id=lb.project_id,
        domain_id=lb.domain_id,
        deadline_s=deadline_s,
    )
    if lb.status is LoadbalancerStatus.CREATING:
        lb.task_id = task.id  # a new row nobody else can have locked yet
    else:
        # Only one request wins this conditional update, however many arrive at once.
        locked = await session.execute(
            update(Loadbalancer)
            .where(Loadbalancer.id == lb.id, Loadbalancer.task_id.is_(None))
            .values(task_id=task.id, status=status)
            .execution_options(synchronize_session=False)
        )
        if locked.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError(Code.BUSY, "Another change to this load balancer started first", "loadbalancerId")
        await session.refresh(lb)
    outbox.changed("Loadbalancer", lb.id, lb.status.value, lb.project_id, lb.domain_id)
    return task


def created(part: str, row_id: uuid.UUID) -> dict[str, Any]:
    return {"op": "create", "part": part, "id": str(row_id)}


def deleted(part: str, row_id: uuid.UUID) -> dict[str, Any]:
    return {"op": "delete", "part": part, "id": str(row_id)}


def updated(part: str, row: Any, fields: list[str]) -> dict[str, Any]:
    """Remember the values `fields` had, so a refused change can be undone."""
    return {"op": "update", "part": part, "id": str(row.id), "before": {f: _jsonable(getattr(row, f)) for f in fields}}


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _restored(model: type[Any], before: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in before.items():
        column_type = model.__table__.c[name].type
        if raw is not None and isinstance(column_type, SaEnum) and column_type.enum_class is not None:
            values[name] = column_type.enum_class(raw)
        elif raw is not None and isinstance(column_type, Uuid):
            values[name] = uuid.UUID(raw)
        else:
            values[name] = raw
    return values


async def commit(session: AsyncSession, lb: Loadbalancer, change: dict[str, Any]) -> None:
    """The agents serve the change: settle its rows."""
    op = change["op"]
    if op == "delete_lb":
        await _delete_lb(session, lb)
        return
    if op in ("create", "update"):
        model = PARTS[change["part"]]
        await session.execute(update(model).where(model.id == uuid.UUID(change["id"])).values(state=RowState.ACTIVE))
    elif op == "delete":
        await _delete_part(session, change["part"], uuid.UUID(change["id"]))
    lb.status, lb.task_id, lb.error = LoadbalancerStatus.ACTIVE, None, None


async def undo(session: AsyncSession, lb: Loadbalancer, change: dict[str, Any], error: str) -> None:
    """The agents refused the change and still serve what was there before: put the rows back."""
    op = change["op"]
    if op == "create_lb":
        await _delete_lb(session, lb)
        return
    if op == "create":
        await _delete_part(session, change["part"], uuid.UUID(change["id"]))
    elif op == "update":
        model = PARTS[change["part"]]
        values = _restored(model, change["before"])
        await session.execute(
            update(model).where(model.id == uuid.UUID(change["id"])).values(state=RowState.ACTIVE, **values)
        )
    elif op == "delete":
        model = PARTS[change["part"]]
        await session.execute(update(model).where(model.id == uuid.UUID(change["id"])).values(state=RowState.ACTIVE))
    lb.status, lb.task_id, lb.error = LoadbalancerStatus.ACTIVE, None, error


async def _delete_part(session: AsyncSession, part: str, row_id: uuid.UUID) -> None:
    model = PARTS[part]
    if model is LbBackendGroup:
        await session.execute(delete(LbBackend).where(LbBackend.backend_group_id == row_id))
    if model is LbListener:
        await session.execute(delete(LbListenerRule).where(LbListenerRule.listener_id == row_id))
    await session.execute(delete(model).where(model.id == row_id))


async def _delete_lb(session: AsyncSession, lb: Loadbalancer) -> None:
    for model in (LbListenerRule, LbListener, LbBackend, LbBackendGroup):
        await session.execute(delete(model).where(model.loadbalancer_id == lb.id))
    if lb.vip_allocation_id is not None:
        await session.execute(delete(IpAllocation).where(IpAllocation.nic_id == lb.vip_allocation_id))
    await session.execute(delete(Loadbalancer).where(Loadbalancer.id == lb.id))


async def lock(session: AsyncSession, lb_id: uuid.UUID) -> Loadbalancer | None:
    stmt = select(Loadbalancer).where(Loadbalancer.id == lb_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
