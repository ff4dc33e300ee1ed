"""serverNicDetach: unplug an interface and give its address back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Nic, Server
from domain.compute.server_devices import detach_nic
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_nic_detach(ctx: Context, *, id: str, nic_id: str) -> Result[tuple[Server, Nic, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server_id, interface_id = decode_id(id, "Server"), decode_id(nic_id, "Nic", "nicId")
        return await detach_nic(session, principal, outbox, ctx.meta, server_id, interface_id)

    return await run_task_mutation(ctx, "serverNicDetach", Target("Server", id[:128]), action)
