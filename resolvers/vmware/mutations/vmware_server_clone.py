"""vmwareServerClone: a new server, a copy of a VMware server's VM (a template or any VM)."""

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
from resolvers.ids import decode_id, decode_optional
from resolvers.mutation import Result, run_task_mutation


async def vmware_server_clone(
    ctx: Context, *, source_id: str, name: str, project_id: str | None
) -> Result[tuple[Server, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        source = decode_id(source_id, "Server", "sourceId")
        project = decode_optional(project_id, "Project", "projectId")
        return await servers.clone(session, principal, outbox, ctx.meta, source, name, project)

    return await run_task_mutation(ctx, "vmwareServerClone", Target("Server"), action)
