"""hostMaintenanceEnter (drain the host by migrating its servers) and hostMaintenanceExit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.migration import Drain, enter_maintenance, exit_maintenance
from domain.compute.models import Host
from domain.identity.access import Principal
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def host_maintenance_enter(ctx: Context, *, id: str, live: bool) -> Result[Drain]:
    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        deadline = max(ctx.services.create_deadline_s, ctx.services.action_deadline_s)
        return await enter_maintenance(
            session,
            principal,
            outbox,
            ctx.meta,
            ctx.services.host_cache,
            decode_id(id, "Host"),
            live=live,
            deadline_s=deadline,
        )

    return await run_task_mutation(ctx, "hostMaintenanceEnter", Target("Host", id[:128]), run)


async def host_maintenance_exit(ctx: Context, *, id: str) -> Result[Host]:
    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        host = await exit_maintenance(session, principal, ctx.services.host_cache, decode_id(id, "Host"))
        outbox.changed("Host", host.id, host.status.value, None, None)  # schedulers reread the host
        return host

    return await run_task_mutation(ctx, "hostMaintenanceExit", Target("Host", id[:128]), run)
