"""diskResize: grow a volume, through the running guest when it is attached to one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Disk
from domain.compute.volumes import resize_disk
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def disk_resize(ctx: Context, *, id: str, size_gb: int) -> Result[tuple[Disk, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await resize_disk(session, principal, outbox, ctx.meta, decode_id(id, "Disk"), size_gb)

    return await run_task_mutation(ctx, "diskResize", Target("Disk", id[:128]), action)
