"""serverNicAttach: a new interface on a network, its address from IPAM, hot while the server runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Nic, Server
from domain.compute.server_devices import attach_nic
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_nic_attach(ctx: Context, *, id: str, network_id: str) -> Result[tuple[Server, Nic, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server_id, net_id = decode_id(id, "Server"), decode_id(network_id, "Network", "networkId")
        return await attach_nic(session, principal, outbox, ctx.meta, server_id, net_id)

    return await run_task_mutation(ctx, "serverNicAttach", Target("Server", id[:128]), action)
