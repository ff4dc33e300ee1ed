"""taskCancel: stop a task where that is safe; its undo runs in the worker."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.task.cancel import cancel_task
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def task_cancel(ctx: Context, *, id: str) -> Result[Task]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Task:
        return await cancel_task(session, principal, outbox, decode_id(id, "Task"))

    return await run_task_mutation(ctx, "taskCancel", Target("Task", id[:128]), action)
