"""The shared body of baremetal mutations that start a task on one host."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta, Target
from domain.baremetal.models import BaremetalHost
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.mutation import Result, run_task_mutation

Start = Callable[[AsyncSession, Principal, Outbox, RequestMeta], Awaitable[tuple[BaremetalHost, Task]]]


async def host_task_mutation(
    ctx: Context, operation: str, host_id: str | None, start: Start
) -> Result[tuple[BaremetalHost, Task]]:
    target = Target("BaremetalHost", host_id[:128] if host_id else None)

    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        host, task = await start(session, principal, outbox, ctx.meta)
        if target.id is None:
            target.id = str(host.id)
        return host, task

    return await run_task_mutation(ctx, operation, target, action)
