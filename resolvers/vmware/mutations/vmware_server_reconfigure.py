"""vmwareServerReconfigure: change a VMware server's CPUs and memory."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from domain.vmware import servers
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def vmware_server_reconfigure(
    ctx: Context, *, id: str, vcpus: int, memory_mb: int
) -> Result[tuple[Server, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server_id = decode_id(id, "Server")
        return await servers.reconfigure(session, principal, outbox, ctx.meta, server_id, vcpus, memory_mb)

    return await run_task_mutation(ctx, "vmwareServerReconfigure", Target("Server", id[:128]), action)
