"""Audit fields of the root Query and Subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from domain.audit.models import Outcome
from resolvers.audit import queries, subscriptions
from resolvers.ids import decode_id
from resolvers.pagination import ListArgs
from schema.audit.filters import AuditEventFilter, AuditEventOrder
from schema.audit.types import AuditEvent
from schema.base import After, Connection, First, OrderDirection
from schema.identity.types import NimbusInfo


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit log, newest first, limited to what the caller may see.")
    async def audit_events(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: AuditEventFilter | None = None,
        order_by: AuditEventOrder | None = None,
    ) -> Connection[AuditEvent]:
        order = order_by or AuditEventOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        f = filter or AuditEventFilter()
        page = await queries.list_audit_events(
            info.context,
            args,
            since=f.since,
            until=f.until,
            actor_id=f.actor_id,
            project_id=f.project_id,
            operation=f.operation,
            outcome=Outcome(f.outcome.value) if f.outcome else None,
            target_id=f.target_id,
        )
        return Connection.from_page(page, AuditEvent.from_model)


@strawberry.type
class AuditSubscription:
    @strawberry.subscription(description="New audit events as they are written (optionally of one project).")
    async def audit_events(
        self,
        info: NimbusInfo,
        project_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only events of this project.")
        ] = None,
    ) -> AsyncGenerator[AuditEvent, None]:
        pid = decode_id(project_id, "Project", "projectId") if project_id else None
        async for event in subscriptions.audit_events(info.context, pid):
            yield AuditEvent.from_model(event)
