"""`auditEvents(projectId)`: new audit records, live, limited to what the subscriber may read."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from domain.audit.models import AuditEvent
from domain.audit.services import TOPIC, from_message
from resolvers.context import Context


async def audit_events(ctx: Context, project_id: uuid.UUID | None) -> AsyncIterator[AuditEvent]:
    principal = ctx.require_principal()
    vis = principal.visibility("audit.event.list")
    async for message in ctx.services.event_hub.listen(TOPIC):
        event = from_message(message)
        if not event.visible_to(vis):
            continue
        if project_id is not None and project_id not in (event.project_id, event.target_project_id):
            continue
        yield event
