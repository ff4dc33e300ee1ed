"""Filter and ordering inputs of the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audit.types import AuditEventOrderField, AuditOutcome
from schema.base import OrderDirection


@strawberry.input(description="Filter audit events.")
class AuditEventFilter:
    since: datetime | None = strawberry.field(default=None, description="At or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Before this time.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="By this user.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="In, or on, this project.")
    operation: str | None = strawberry.field(default=None, description="This mutation, e.g. `userCreate`.")
    outcome: AuditOutcome | None = strawberry.field(default=None, description="Only this outcome.")
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only events on this object (its global ID, as in `targetId`)."
    )


@strawberry.input(description="Sort order of audit events (newest first by default).")
class AuditEventOrder:
    field: AuditEventOrderField = strawberry.field(default=AuditEventOrderField.TIME, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction.")
