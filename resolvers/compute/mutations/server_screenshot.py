"""serverScreenshot: capture a running server's screen; waits briefly so most callers get it at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.compute.snapshots import begin_screenshot
from domain.identity.access import Principal
from domain.task.models import Task, TaskStatus
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation

POLL_S = 0.1


async def server_screenshot(ctx: Context, *, id: str, wait_s: float) -> Result[tuple[Server, Task]]:
    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await begin_screenshot(session, principal, outbox, ctx.meta, decode_id(id, "Server"))

    result = await run_task_mutation(ctx, "serverScreenshot", Target("Server", id[:128]), run)
    if result.value is not None:
        server, task = result.value
        result.value = (server, await _settled(ctx, task, wait_s))
    return result


async def _settled(ctx: Context, task: Task, wait_s: float) -> Task:
    """The task once it has ended, or as it is when `wait_s` runs out."""
    deadline = time.monotonic() + min(max(wait_s, 0.0), 30.0)
    while True:
        async with ctx.services.sessions() as session:
            current = await session.get(Task, task.id)
        if current is None or current.status not in (TaskStatus.QUEUED, TaskStatus.RUNNING):
            return current or task
        if time.monotonic() >= deadline:
            return current
        await asyncio.sleep(POLL_S)
