"""Task list filters."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.base import OrderDirection
from schema.task.types import TaskStatus


@strawberry.input(description="Filter tasks.")
class TaskFilter:
    status: TaskStatus | None = strawberry.field(default=None, description="Only this status.")
    kind: str | None = strawberry.field(default=None, description="Only this kind, e.g. `server.create`.")
    target_id: strawberry.ID | None = strawberry.field(default=None, description="Only tasks on this object.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")
    top_level: bool = strawberry.field(default=False, description="Leave out child tasks.")


@strawberry.enum(description="Fields tasks can be sorted by.")
class TaskOrderField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input(description="Sort order of tasks (newest first by default).")
class TaskOrder:
    field: TaskOrderField = strawberry.field(default=TaskOrderField.CREATED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction.")
