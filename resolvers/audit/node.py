"""Single audit events for `node(id)`."""

from __future__ import annotations

import uuid

from domain.audit.models import AuditEvent
from resolvers.context import Context
from resolvers.loaders import by_id

AuditEventByIdLoader = by_id(AuditEvent, "audit.event.list")


async def audit_event(ctx: Context, event_id: uuid.UUID) -> AuditEvent | None:
    result: AuditEvent | None = await ctx.loader("audit_event_by_id", AuditEventByIdLoader).load(event_id)
    return result
