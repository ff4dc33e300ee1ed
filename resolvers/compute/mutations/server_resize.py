"""serverResize: new vCPUs, memory or boot disk size; live within the maxima, else stop → redefine → start."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.compute.server_devices import ResizeRequest, resize_server
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_resize(
    ctx: Context,
    *,
    id: str,
    vcpus: int | None,
    memory_mb: int | None,
    disk_gb: int | None,
    live: bool | None,
) -> Result[tuple[Server, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        request = ResizeRequest(vcpus=vcpus, memory_mb=memory_mb, disk_gb=disk_gb, live=live)
        return await resize_server(session, principal, outbox, ctx.meta, decode_id(id, "Server"), request)

    return await run_task_mutation(ctx, "serverResize", Target("Server", id[:128]), action)
