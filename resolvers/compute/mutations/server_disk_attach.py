"""serverDiskAttach: plug a volume into a server on its host, hot while it runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Disk, Server
from domain.compute.server_devices import attach_disk
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_disk_attach(ctx: Context, *, id: str, disk_id: str) -> Result[tuple[Server, Disk, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server_id, volume_id = decode_id(id, "Server"), decode_id(disk_id, "Disk", "diskId")
        return await attach_disk(session, principal, outbox, ctx.meta, server_id, volume_id)

    return await run_task_mutation(ctx, "serverDiskAttach", Target("Server", id[:128]), action)
