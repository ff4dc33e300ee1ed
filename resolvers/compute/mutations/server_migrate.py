"""serverMigrate and serverLiveMigrate: move a server to another host (administrators)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.migration import MigrationRequest, begin_migration
from domain.compute.models import Server
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id, decode_optional
from resolvers.mutation import Result, run_task_mutation


async def server_migrate(
    ctx: Context, *, id: str, host_id: str | None, live: bool = False
) -> Result[tuple[Server, Task]]:
    operation = "serverLiveMigrate" if live else "serverMigrate"
    target = Target("Server", id[:128])

    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        req = MigrationRequest(
            decode_id(id, "Server"),
            host_id=decode_optional(host_id, "Host", "hostId"),
            live=live,
            deadline_s=max(ctx.services.create_deadline_s, ctx.services.action_deadline_s),
        )
        server, task = await begin_migration(session, principal, outbox, ctx.meta, ctx.services.host_cache, req)
        target.domain_id, target.project_id = server.domain_id, server.project_id  # the project sees it too
        return server, task

    return await run_task_mutation(ctx, operation, target, run)
