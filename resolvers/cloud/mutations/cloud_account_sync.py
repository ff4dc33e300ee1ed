"""cloudAccountSync: import the account's resources now, as a task with progress."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.cloud.accounts import request_sync
from domain.cloud.models import CloudAccount
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def cloud_account_sync(ctx: Context, *, id: str) -> Result[tuple[CloudAccount, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await request_sync(session, principal, outbox, ctx.meta, decode_id(id, "CloudAccount"))

    return await run_task_mutation(ctx, "cloudAccountSync", Target("CloudAccount", id=id), action)
