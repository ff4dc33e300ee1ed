"""The Task type: what a client follows while the platform works."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from domain.task import models
from domain.task.errors import TaskErrorCode as _Code
from resolvers.ids import to_global_id
from resolvers.task import queries
from schema.base import Node
from schema.identity.types import NimbusInfo


@strawberry.enum(description="Where a task is in its life.")
class TaskStatus(Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


TaskErrorCode = strawberry.enum(_Code, description="Why a task mutation was refused.")


@strawberry.type(description="A payload error of a task mutation.")
class TaskError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: TaskErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.type(description="The object a task works on.")
class TaskTarget:
    id: strawberry.ID = strawberry.field(description="Global ID of the object (use it with `node`).")
    type: str = strawberry.field(description="The object's type, e.g. `Server`.")


@strawberry.type(description="Asynchronous work: its stage, progress and outcome. Follow it with `taskUpdated`.")
class Task(Node):
    kind: str = strawberry.field(description="What the task does, e.g. `server.create`.")
    status: TaskStatus = strawberry.field(description="QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.")
    progress: int = strawberry.field(description="0 to 100.")
    stage: str = strawberry.field(description="The stage it is in (or waits for).")
    error: str | None = strawberry.field(description="Why it failed, for people.")
    result: JSON | None = strawberry.field(description="What it produced, when it succeeded.")
    actor_name: str = strawberry.field(description="Who started it.")
    cancel_requested: bool = strawberry.field(description="A cancellation is on its way.")
    created_at: datetime | None = strawberry.field(description="When it was queued.")
    started_at: datetime | None = strawberry.field(description="When its first stage ran.")
    finished_at: datetime | None = strawberry.field(description="When it ended.")
    pk: strawberry.Private[uuid.UUID]
    parent_pk: strawberry.Private[uuid.UUID | None]
    target_type: strawberry.Private[str]
    target_pk: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The object the task works on.")
    def target(self) -> TaskTarget | None:
        if self.target_pk is None:
            return None
        return TaskTarget(id=strawberry.ID(to_global_id(self.target_type, self.target_pk)), type=self.target_type)

    @strawberry.field(description="Child tasks (one per server of a batch).")
    async def subtasks(self, info: NimbusInfo) -> list[Task]:
        return [Task.from_model(t) for t in await queries.children(info.context, self.pk)]

    @strawberry.field(description="The parent task, for a child.")
    async def parent(self, info: NimbusInfo) -> Task | None:
        found = await queries.task(info.context, self.parent_pk)
        return None if found is None else Task.from_model(found)

    @classmethod
    def from_model(cls, m: models.Task) -> Task:
        result: Any = m.result
        return cls(
            id=strawberry.ID(to_global_id("Task", m.id)),
            kind=m.kind,
            status=TaskStatus(m.status.value),
            progress=m.progress,
            stage=m.stage,
            error=m.error,
            result=result,
            actor_name=m.actor_name,
            cancel_requested=bool(m.cancel_requested),
            created_at=m.created_at,
            started_at=m.started_at,
            finished_at=m.finished_at,
            pk=m.id,
            parent_pk=m.parent_id,
            target_type=m.target_type,
            target_pk=m.target_id,
        )
