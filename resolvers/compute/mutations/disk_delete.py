"""diskDelete: remove a detached volume and give its storage back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Disk
from domain.compute.volumes import delete_disk
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def disk_delete(ctx: Context, *, id: str) -> Result[tuple[Disk, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await delete_disk(session, principal, outbox, ctx.meta, decode_id(id, "Disk"))

    return await run_task_mutation(ctx, "diskDelete", Target("Disk", id[:128]), action)
