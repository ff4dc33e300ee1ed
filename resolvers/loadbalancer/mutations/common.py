"""The shared shape of load balancer mutations that start a `loadbalancer.sync` task."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta, Target
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.mutation import Result, run_task_mutation

T = TypeVar("T")
Change = Callable[[AsyncSession, Principal, Outbox, RequestMeta], Awaitable[tuple[T, Task]]]


async def sync_mutation(
    ctx: Context, operation: str, target_type: str, target_id: str | None, change: Change[T]
) -> Result[tuple[T, Task]]:
    target = Target(target_type, target_id[:128] if target_id else None)

    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        value, task = await change(session, principal, outbox, ctx.meta)
        if target.id is None:
            target.id = str(getattr(value, "id", value))
        target.domain_id, target.project_id = task.domain_id, task.project_id
        return value, task

    return await run_task_mutation(ctx, operation, target, action)
