"""The shared body of serverStart, serverStop, serverReboot and serverDelete."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.compute.servers import begin_action
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_action(
    ctx: Context, operation: str, action: str, id: str, options: dict[str, Any] | None = None
) -> Result[tuple[Server, Task]]:
    target = Target("Server", id[:128])

    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await begin_action(
            session,
            principal,
            outbox,
            ctx.meta,
            decode_id(id, "Server"),
            action,
            options,
            deadline_s=ctx.services.action_deadline_s,
        )

    return await run_task_mutation(ctx, operation, target, run)
