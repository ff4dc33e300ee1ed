"""`taskUpdated(id)` and `tasks(projectId)`: task changes, live, for those who may read them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from sqlalchemy import select

from domain.errors import NotFound
from domain.scoping import restrict
from domain.task.models import Task
from domain.task.services import TOPIC, from_message
from resolvers.context import Context


async def task_updated(ctx: Context, task_id: uuid.UUID) -> AsyncIterator[Task]:
    """The task's current state first, then every change; ends when the task has ended."""
    principal = ctx.require_principal()
    vis = principal.visibility("task.get")
    # Subscribe before reading, so a change between the read and the subscription is not lost.
    subscription = ctx.services.event_hub.subscribe(TOPIC)
    try:
        await subscription.ready()
        async with ctx.services.sessions() as session:
            stmt = restrict(select(Task).where(Task.id == task_id), Task, principal, "task.get")
            current = (await session.execute(stmt)).scalar_one_or_none()
        if current is None:
            raise NotFound("Task")
        yield current
        last = current.updated_at
        while not current.status.finished:
            message = await subscription.get()
            if message.get("id") != str(task_id):
                continue
            current = from_message(message)
            if not current.visible_to(vis):
                return
            if last is not None and current.updated_at is not None and current.updated_at < last:
                continue  # an event older than the state already sent
            last = current.updated_at
            yield current
    finally:
        subscription.close()


async def project_tasks(ctx: Context, project_id: uuid.UUID | None) -> AsyncIterator[Task]:
    vis = ctx.require_principal().visibility("task.list")
    async for message in ctx.services.event_hub.listen(TOPIC):
        task = from_message(message)
        if task.visible_to(vis) and (project_id is None or task.project_id == project_id):
            yield task
