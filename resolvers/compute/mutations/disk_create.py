"""diskCreate: a blank volume on a host's local storage; returns at once with the task making it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Disk
from domain.compute.volumes import DiskRequest, create_disk
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_task_mutation


async def disk_create(
    ctx: Context,
    *,
    name: str,
    size_gb: int,
    project_id: str | None,
    host_id: str | None,
    server_id: str | None,
) -> Result[tuple[Disk, Task]]:
    target = Target("Disk")

    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        request = DiskRequest(
            name=name,
            size_gb=size_gb,
            project_id=decode_optional(project_id, "Project", "projectId"),
            host_id=decode_optional(host_id, "Host", "hostId"),
            server_id=decode_optional(server_id, "Server", "serverId"),
        )
        disk, task = await create_disk(session, principal, outbox, ctx.meta, request)
        target.id, target.domain_id, target.project_id = str(disk.id), disk.domain_id, disk.project_id
        return disk, task

    return await run_task_mutation(ctx, "diskCreate", target, action)
