"""Cancelling a task: the worker runs the task's undo in an `on_cancel` stage.

A task says at creation how far it may be cancelled (`params["cancel"]`): `any` when its
failure stage can undo whatever was done (creates), `queued` when only before it starts
(power actions, deletes — stopping halfway would leave the server in an unknown state).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.identity.access import Principal
from domain.scoping import get_for_change
from domain.task.models import Task, TaskStatus
from domain.task.services import Outbox, stage_job

CANCEL_STAGE = "on_cancel"


async def cancel_task(session: AsyncSession, principal: Principal, outbox: Outbox, task_id: uuid.UUID) -> Task:
    task = await get_for_change(session, Task, principal, task_id, "cancel")
    await session.refresh(task, with_for_update=True)
    if task.status.finished:
        raise DomainError("INVALID_STATE", f"The task has already ended ({task.status.value.lower()})", "id")
    if task.params.get("cancel", "queued") == "queued" and task.status is not TaskStatus.QUEUED:
        raise DomainError("INVALID_STATE", "The task has started and cannot be cancelled safely any more", "id")
    if task.cancel_requested:
        raise DomainError("INVALID_STATE", "Cancellation was already requested", "id")
    task.cancel_requested = True
    outbox.jobs.append(stage_job(task, CANCEL_STAGE))
    outbox.touch(task)
    return task
