"""The audit log as a connection, filtered by time, actor, project, operation and outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from domain.audit.models import AuditEvent, Outcome
from domain.scoping import restrict
from resolvers.context import Context
from resolvers.identity.queries import ListArgs, _id_filter
from resolvers.pagination import Page, paginate


async def list_audit_events(
    ctx: Context,
    args: ListArgs,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor_id: str | None = None,
    project_id: str | None = None,
    operation: str | None = None,
    outcome: Outcome | None = None,
) -> Page[AuditEvent]:
    stmt = select(AuditEvent)
    if since is not None:
        stmt = stmt.where(AuditEvent.time >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.time < until)
    if (uid := _id_filter(actor_id, "User")) is not None:
        stmt = stmt.where(AuditEvent.actor_id == uid)
    if (pid := _id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(or_(AuditEvent.project_id == pid, AuditEvent.target_project_id == pid))
    if operation is not None:
        stmt = stmt.where(AuditEvent.operation == operation)
    if outcome is not None:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    stmt = restrict(stmt, AuditEvent, ctx.require_principal(), "audit.event.list")
    order = getattr(AuditEvent, args.order_by)
    return await paginate(ctx, stmt, AuditEvent, order, descending=args.descending, first=args.first, after=args.after)
