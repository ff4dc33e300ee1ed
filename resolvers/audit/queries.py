"""The audit log as a connection, filtered by time, actor, project, operation, outcome and target."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from domain.audit.models import AuditEvent, Outcome
from resolvers.context import Context
from resolvers.filters import id_filter
from resolvers.pagination import ListArgs, Page, list_page


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
    target_id: str | None = None,
) -> Page[AuditEvent]:
    stmt = select(AuditEvent)
    if since is not None:
        stmt = stmt.where(AuditEvent.time >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.time < until)
    if (uid := id_filter(actor_id, "User")) is not None:
        stmt = stmt.where(AuditEvent.actor_id == uid)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(or_(AuditEvent.project_id == pid, AuditEvent.target_project_id == pid))
    if operation is not None:
        stmt = stmt.where(AuditEvent.operation == operation)
    if outcome is not None:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    if target_id is not None:
        stmt = stmt.where(AuditEvent.target_id == target_id)
    return await list_page(ctx, AuditEvent, "audit.event.list", stmt, args)
